import ClientPG from 'knex/lib/dialects/postgres/index.js';

/** What node-postgres gives a query that outlived `query_timeout`. */
const READ_TIMEOUT = 'Query read timeout';

interface PgConnection {
  __knex__disposed?: unknown;
  connection?: { stream?: { destroy(error?: Error): void } };
}

/**
 * knex's PostgreSQL client, plus one guarantee: a query that outlives node-postgres's
 * client-side `query_timeout` takes its connection down with it.
 *
 * The server-side statement_timeout covers a slow query; it cannot help when the network
 * silently drops packets, because the cancellation never arrives either. node-postgres then
 * fails the query after `query_timeout` but keeps the socket, and every later query on it (the
 * transaction's ROLLBACK first) waits behind the lost one. Destroying the socket fails those at
 * once and makes knex's pool discard the connection instead of handing it out again.
 */
export class PgReadDeadlineClient extends ClientPG {
  override async _query(connection: unknown, obj: unknown): Promise<unknown> {
    try {
      return await super._query(connection, obj);
    } catch (error) {
      if (error instanceof Error && error.message === READ_TIMEOUT) {
        const pg = connection as PgConnection;
        pg.__knex__disposed = error;
        pg.connection?.stream?.destroy();
      }
      throw error;
    }
  }
}
