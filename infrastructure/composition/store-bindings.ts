import type { Config } from '../config/config.js';
import { knexPoolStats } from '../metrics/knex-pool-stats.js';
import { MeasuredPingStore } from '../metrics/measured-ping-store.js';
import { KnexPingStore } from '../postgres/knex-ping-store.js';
import { PingDatabase } from '../postgres/ping-database.js';
import { BreakerGuardedPingStore } from '../resilience/breaker-guarded-ping-store.js';
import { makeStoreBreaker } from '../resilience/make-breaker.js';
import { managed, type Bind } from './binding.js';

/** The database, the store adapter on it, and the store port: breaker(measured(adapter)). */
export function bindStore(bind: Bind, config: Config): void {
  // PostgreSQL when POSTGRES_URI is set, else the embedded PGlite under DATA_DIR.
  bind('PingDatabase', (get) => {
    const database = managed(get, PingDatabase.open(config.postgres, get('Logger')));
    get('Metrics').watchPool('postgres', knexPoolStats(database.knex));
    return database;
  });
  bind('RawPingStore', (get) => {
    const database = get('PingDatabase');
    return new KnexPingStore(database.knex, database.statementTimeoutMs);
  });
  // Makes a known-dead store fail at once (STALE or 503, no waiting).
  bind('StoreBreaker', (get) => {
    const { breakerResetMs: resetTimeoutMs, statementTimeoutMs } = config.postgres;
    const surroundings = { clock: get('Clock'), metrics: get('Metrics'), logger: get('Logger') };
    return makeStoreBreaker({ resetTimeoutMs, statementTimeoutMs }, surroundings);
  });
  // Timed inside the breaker, whichever adapter is bound, so the query histogram shows real
  // queries only.
  bind('PingStore', (get) => {
    const measured = new MeasuredPingStore(get('RawPingStore'), get('Metrics'));
    return new BreakerGuardedPingStore(measured, get('StoreBreaker'));
  });
}
