import knex, { type Knex } from 'knex';
import type { Logger } from '../../application/logger.port.js';
import { knexLog } from './knex-log.js';
import { PgReadDeadlineClient } from './pg-read-deadline-client.js';

export interface PgSettings {
  readonly uri: string;
  readonly poolMax: number;
  readonly acquireTimeoutMs: number;
  readonly statementTimeoutMs: number;
}

/**
 * Margin of the client-side deadline over the server-side statement timeout: the server gets
 * the first word (a clean 57014, the connection stays usable); the client-side deadline only
 * fires when the server's answer cannot arrive at all.
 */
const READ_DEADLINE_MARGIN_MS = 1_000;

/** knex over node-postgres, bounded everywhere: a slow or unreachable server costs a known time. */
export function createPgKnex(settings: PgSettings, logger: Logger): Knex {
  return knex({
    client: PgReadDeadlineClient,
    connection: {
      connectionString: settings.uri,
      application_name: 'ping-service',
      // Sent in the startup packet, so it holds for every statement on every pooled connection.
      statement_timeout: settings.statementTimeoutMs,
      query_timeout: settings.statementTimeoutMs + READ_DEADLINE_MARGIN_MS,
      // A connect attempt may not outlive the budget of the acquire that asked for it.
      connectionTimeoutMillis: settings.acquireTimeoutMs,
      keepAlive: true,
    },
    // min 0: no connection is opened before the first query, and idle ones are given back.
    pool: { min: 0, max: settings.poolMax },
    acquireConnectionTimeout: settings.acquireTimeoutMs,
    log: knexLog(logger),
  });
}
