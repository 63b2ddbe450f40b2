// knex ships no typings for its dialect modules; this is the slice that pg-read-deadline-client.ts extends.
declare module 'knex/lib/dialects/postgres/index.js' {
  import { Knex } from 'knex';

  class ClientPG extends Knex.Client {
    _query(connection: unknown, obj: unknown): Promise<unknown>;
    /** Opens one raw pg.Client from `connectionSettings`; knex adds version check and search path. */
    _acquireOnlyConnection(): Promise<unknown>;
  }
  export = ClientPG;
}
