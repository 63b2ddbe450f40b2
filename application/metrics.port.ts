import type { Dependency } from '../domain/dependency-monitor.port.js';

/**
 * The `result` label of a `GET /ping`: the public spelling of the domain's `PingOutcome` (mapped
 * in ping-use-cases.ts), or `error` for a request that failed.
 */
export type CacheResult = 'hit' | 'miss' | 'stale' | 'bypass' | 'error';

/** A circuit breaker's position; the same names as the resilience adapter uses. */
export type BreakerState = 'closed' | 'half_open' | 'open';

/** A connection pool at one instant (knex/tarn: numUsed, numFree, numPendingAcquires, max). */
export interface PoolStats {
  readonly used: number;
  readonly free: number;
  readonly pending: number;
  readonly max: number;
}

/** Implemented by a store adapter that owns a pool; read when metrics are scraped, never per request. */
export interface PoolStatsSource {
  poolStats(): PoolStats | null;
}

export interface RequestMetrics {
  /** `route` is the route template (`/pings`), never the raw path: labels must stay few. */
  observeRequest(method: string, route: string, statusCode: number, seconds: number): void;
}

export interface CacheMetrics {
  countCacheResult(result: CacheResult): void;
}

export interface StoreMetrics {
  observeStoreQuery(operation: string, ok: boolean, seconds: number): void;
}

interface DependencyMetrics {
  setDependencyUp(dependency: Dependency, up: boolean): void;
  setBreakerState(breaker: string, state: BreakerState): void;
  watchPool(pool: string, source: PoolStatsSource): void;
  /** `address()` (read at scrape time) names the Redis server in use, null while there is none. */
  watchRedisServer(address: () => string | null): void;
}

export interface MetricsExposition {
  readonly contentType: string;
  render(): Promise<string>;
}

/**
 * The service's measurements (Prometheus in production). The HTTP layer and the use cases see
 * only this port, so neither depends on a metrics library, and tests can read what was counted.
 */
export interface Metrics extends RequestMetrics, CacheMetrics, StoreMetrics, DependencyMetrics, MetricsExposition {}

/** For compositions that measure nothing (a use case built by hand in a test). */
export const NO_CACHE_METRICS: CacheMetrics = { countCacheResult() {} };
