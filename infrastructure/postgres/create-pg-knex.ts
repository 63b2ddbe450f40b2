import knex, { type Knex } from 'knex';
import type { Logger } from '../../application/logger.port.js';
import { knexLog } from './knex-log.js';
import { PgReadDeadlineClient, type PgClientConfig } from './pg-read-deadline-client.js';
import { READ_DEADLINE_MARGIN_MS } from './postgres-budgets.js';
import { parsePostgresUri } from './postgres-hosts.js';

export interface PgSettings {
  readonly uri: string;
  readonly poolMax: number;
  readonly acquireTimeoutMs: number;
  readonly statementTimeoutMs: number;
}

/** knex over node-postgres, bounded everywhere: a slow or unreachable server costs a known time. */
export function createPgKnex(settings: PgSettings, logger: Logger): Knex {
  const targets = parsePostgresUri(settings.uri);
  const config: Knex.Config & PgClientConfig = {
    client: PgReadDeadlineClient,
    postgresTargets: targets,
    connection: {
      connectionString: targets.singleUri,
      application_name: 'ping-service',
      // No statement_timeout here: a start-up parameter (or a session SET) does not survive a
      // pooler in transaction mode (pgbouncer refuses it). KnexPingStore sets it per transaction.
      query_timeout: settings.statementTimeoutMs + READ_DEADLINE_MARGIN_MS,
      // A connect attempt may not outlive the budget of the acquire that asked for it; with
      // several hosts each gets its share, as libpq's connect_timeout is per host.
      connectionTimeoutMillis: Math.max(100, Math.floor(settings.acquireTimeoutMs / Math.max(1, targets.hosts.length))),
      keepAlive: true,
    },
    // min 0: no connection is opened before the first query, and idle ones are given back.
    pool: { min: 0, max: settings.poolMax },
    acquireConnectionTimeout: settings.acquireTimeoutMs,
    log: knexLog(logger),
  };
  return knex(config);
}
