import knex from 'knex';
import { StoreUnavailableError } from '../../domain/errors.js';

/** SQLSTATEs that mean "the database cannot answer now", not "the request was wrong". */
const UNAVAILABLE_SQLSTATES = new Set([
  '25006', // read_only_sql_transaction: a standby or a demoted primary (a failover is under way)
  '53300', // too_many_connections
  '57014', // query_canceled: our statement_timeout fired
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, recovering)
  '57P05', // idle_session_timeout
]);

/** Socket-level failures from Node while connecting or talking to the server. */
const UNAVAILABLE_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/**
 * node-postgres reports a lost or timed-out connection with plain Errors and no code:
 * "Connection terminated unexpectedly", "timeout expired" (connectionTimeoutMillis),
 * "Query read timeout" (query_timeout), "Client was closed and is not queryable", and knex
 * "Unable to acquire a connection" once the pool is being destroyed. knex puts the SQL in front
 * of a query's error: "BEGIN; - Query read timeout".
 */
const UNAVAILABLE_MESSAGES =
  /(?:^| - )(Connection terminated|timeout expired|Query read timeout|Client (was closed|has encountered a connection error)|Unable to acquire a connection)/;

/**
 * Maps a failure of the database to the domain's StoreUnavailableError when it means the store
 * cannot answer within its budget (connection refused or lost, pool acquire timeout, statement
 * timeout). Anything else (a bug, a missing table, bad SQL) is returned unchanged, so it is
 * reported as the defect it is.
 */
export function classifyStoreError(error: unknown): unknown {
  if (error instanceof StoreUnavailableError) return error;
  // The reason stays in `cause`: loggers and Sentry print the chain.
  if (isUnavailable(error)) return new StoreUnavailableError('PostgreSQL is unavailable', { cause: error });
  return error;
}

function isUnavailable(error: unknown): boolean {
  if (error instanceof knex.KnexTimeoutError) return true; // no free pooled connection in time
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_ERRNOS.has(code)) return true;
    if (code.startsWith('08')) return true; // connection_exception class
  }
  // AggregateError: pg tried every address of a host name and all failed.
  if (error instanceof AggregateError) return error.errors.some(isUnavailable);
  return UNAVAILABLE_MESSAGES.test(error.message);
}
