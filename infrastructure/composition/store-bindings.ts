import type { Config } from '../config/config.js';
import { knexPoolStats } from '../metrics/knex-pool-stats.js';
import { MeasuredPingStore } from '../metrics/measured-ping-store.js';
import { KnexPingStore } from '../postgres/knex-ping-store.js';
import { PingDatabase } from '../postgres/ping-database.js';
import { POSTGRES_BUDGETS } from '../postgres/postgres-budgets.js';
import { StoreOverloadedError } from '../../domain/errors.js';
import { BreakerGuardedPingStore } from '../resilience/breaker-guarded-ping-store.js';
import { Bulkhead } from '../resilience/bulkhead.js';
import { BulkheadGuardedPingStore } from '../resilience/bulkhead-guarded-ping-store.js';
import { makeStoreBreaker } from '../resilience/make-breaker.js';
import { postgresTarget } from '../tracing/database-targets.js';
import type { Bind } from './binding.js';

/**
 * The store's bulkhead: as many calls at once as the pool has connections, so none waits in the
 * pool's own queue (whose timeout a dead server gives too); eight times that may wait for a
 * slot, each at most a quarter of a second, which a healthy store drains many times over. Past
 * that the store is saturated, and the caller hears so at once (503 overloaded).
 */
const QUEUED_PER_CONNECTION = 8;
const QUEUE_WAIT_MS = 250;

/**
 * The database, the store adapter on it, and the store port: breaker(bulkhead(measured(adapter))),
 * inside a client span per call with tracing on (so a call the bulkhead or the breaker refused
 * shows in the trace too).
 */
export function bindStore(bind: Bind, config: Config): void {
  // PostgreSQL when POSTGRES_URI is set, else the embedded PGlite under DATA_DIR.
  bind('PingDatabase', (get) => {
    const database = PingDatabase.open({ ...config.postgres, ...POSTGRES_BUDGETS }, get('Logger'));
    get('Metrics').watchPool('postgres', knexPoolStats(database.knex));
    get('Tracing')?.watchPool(database.knex, postgresTarget(config.postgres).poolName);
    return database;
  });
  bind('RawPingStore', (get) => {
    const database = get('PingDatabase');
    return new KnexPingStore(database.knex, database.statementTimeoutMs);
  });
  // Makes a known-dead store fail at once (STALE or 503, no waiting).
  bind('StoreBreaker', (get) => {
    const surroundings = { clock: get('Clock'), metrics: get('Metrics'), logger: get('Logger') };
    return makeStoreBreaker(surroundings);
  });
  // Timed innermost, whichever adapter is bound, so the query histogram shows real queries only;
  // the bulkhead next; the breaker outermost, so that an open circuit answers at once even while
  // the calls a black-hole caught hold every slot, and the breaker takes a refusal of the
  // bulkhead for what it is: saturation, neither the store failing nor the store answering.
  bind('PingStore', (get) => {
    const measured = new MeasuredPingStore(get('RawPingStore'), get('Metrics'));
    // The embedded engine has one connection (knex-pglite pins its pool to one).
    const concurrency = config.postgres.uri ? config.postgres.poolMax : 1;
    const metrics = get('Metrics');
    const bulkhead = new Bulkhead(
      { concurrency, queue: concurrency * QUEUED_PER_CONNECTION, queueWaitMs: QUEUE_WAIT_MS },
      (why) => {
        metrics.countStoreSaturated();
        return new StoreOverloadedError(`the store is saturated: ${why}`);
      },
    );
    const bounded = new BulkheadGuardedPingStore(measured, bulkhead);
    const guarded = new BreakerGuardedPingStore(bounded, get('StoreBreaker'));
    return get('Tracing')?.store(guarded, postgresTarget(config.postgres)) ?? guarded;
  });
}
