import ClientPG from 'knex/lib/dialects/postgres/index.js';
import type pg from 'pg';
import { HostSelector } from './pg-host-selection.js';
import type { PostgresTargets } from './postgres-hosts.js';

/** What node-postgres gives a query that outlived `query_timeout`. */
const READ_TIMEOUT = 'Query read timeout';
/** read_only_sql_transaction: the server was demoted (or is a standby) under this connection. */
const READ_ONLY = '25006';

interface PgConnection {
  __knex__disposed?: unknown;
  connection?: { stream?: { destroy(error?: Error): void } };
}

/** The extra knex option this client reads: the hosts of POSTGRES_URI and `target_session_attrs`. */
export interface PgClientConfig {
  readonly postgresTargets?: PostgresTargets;
}

/**
 * knex's PostgreSQL client, plus two guarantees.
 *
 * A query that outlives node-postgres's client-side `query_timeout` takes its connection down
 * with it. The server-side statement_timeout covers a slow query; it cannot help when the
 * network silently drops packets, because the cancellation never arrives either. node-postgres
 * then fails the query after `query_timeout` but keeps the socket, and every later query on it
 * (the transaction's ROLLBACK first) waits behind the lost one. Destroying the socket fails
 * those at once and makes knex's pool discard the connection instead of handing it out again.
 * A connection whose server turned read-only (a failover demoted it) is discarded too, so the
 * next one looks for the writable host.
 *
 * With several hosts, or `target_session_attrs` other than `any`, each new connection goes
 * through a HostSelector (libpq's behaviour, which node-postgres lacks).
 *
 * The one file that uses knex's and node-postgres's internals (`_query`, `_acquireOnlyConnection`,
 * `__knex__disposed`, `connection.stream`): knex's pool offers no public way to discard a
 * connection from inside a failed query or to open one per host. Each internal is pinned by
 * tests/integration/knex-internals.integration.test.ts; check it on every knex or pg upgrade
 * (docs/backends.md).
 */
export class PgReadDeadlineClient extends ClientPG {
  private selector: HostSelector | null = null;

  override async _query(connection: unknown, obj: unknown): Promise<unknown> {
    try {
      return await super._query(connection, obj);
    } catch (error) {
      const pg = connection as PgConnection;
      if (error instanceof Error && error.message === READ_TIMEOUT) {
        pg.__knex__disposed = error;
        pg.connection?.stream?.destroy();
      } else if ((error as { code?: unknown }).code === READ_ONLY) {
        pg.__knex__disposed = error;
      }
      throw error;
    }
  }

  override _acquireOnlyConnection(): Promise<unknown> {
    const targets = (this.config as PgClientConfig).postgresTargets;
    if (!targets || (targets.hosts.length <= 1 && targets.targetSessionAttrs === 'any')) {
      return super._acquireOnlyConnection();
    }
    this.selector ??= new HostSelector(targets, (uri) => this.openOne(uri));
    return this.selector.connect();
  }

  /** knex's own `_acquireOnlyConnection`, for one host of several. */
  private async openOne(uri: string): Promise<pg.Client> {
    const Client = (this.driver as typeof pg).Client;
    const connection = new Client({ ...(this.connectionSettings as pg.ClientConfig), connectionString: uri });
    const marked = connection as unknown as PgConnection;
    connection.on('error', (error) => (marked.__knex__disposed = error));
    connection.on('end', () => (marked.__knex__disposed ??= 'Connection ended unexpectedly'));
    await connection.connect();
    return connection;
  }
}
