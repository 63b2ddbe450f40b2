import type { CacheMetrics, MetricsExposition, RequestMetrics } from '../../application/metrics.port.js';
import type { Dependency } from '../../domain/dependency-monitor.port.js';

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

/** What the store's wrappers record: each call to the store, and each call refused as saturated. */
export interface StoreMetrics {
  observeStoreQuery(operation: string, ok: boolean, seconds: number): void;
  countStoreSaturated(): void;
}

/** What the adapters report of the dependencies: up or down, breaker positions, pools, servers. */
export interface DependencyMetrics {
  setDependencyUp(dependency: Dependency, up: boolean): void;
  setBreakerState(breaker: string, state: BreakerState): void;
  watchPool(pool: string, source: PoolStatsSource): void;
  /** `address()` (read at scrape time) names the Redis server in use, null while there is none. */
  watchRedisServer(address: () => string | null): void;
}

/** What the write rate limiter reports: each refusal, and where it counts. */
export interface RateLimitMetrics {
  countRateLimited(limiter: string): void;
  /** true while the limit is counted in Redis for the fleet, false while this instance counts alone. */
  setRateLimiterShared(limiter: string, shared: boolean): void;
}

/**
 * Every measurement of the service (Prometheus in production): the application's ports, which the
 * HTTP layer and the use cases see, and the adapters' own, which only infrastructure sees.
 */
export interface ServiceMetrics
  extends RequestMetrics, CacheMetrics, MetricsExposition, StoreMetrics, DependencyMetrics, RateLimitMetrics {}
