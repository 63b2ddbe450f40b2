import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CacheResult } from '../../application/metrics.port.js';
import type { BreakerState, PoolStats, PoolStatsSource, ServiceMetrics } from './service-metrics.js';
import type { Dependency } from '../../domain/dependency-monitor.port.js';
import { processMetricsRegistry } from './process-metrics.js';

/** Seconds; finer than prom-client's defaults at the low end, where a cache hit lives. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const BREAKER_LEVEL: Record<BreakerState, number> = { closed: 0, half_open: 1, open: 2 };
const CACHE_RESULTS: readonly CacheResult[] = ['hit', 'miss', 'stale', 'bypass', 'error'];

/**
 * The Metrics port on prom-client. Each instance has its own registry (a container per test
 * must not share counters); the process-wide default metrics are appended when rendering.
 */
export class PromMetrics implements ServiceMetrics {
  private readonly registry = new Registry();
  private readonly pools = new Map<string, PoolStatsSource>();

  private readonly requestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer an HTTP request on the API port, by method, route template and status code (probes excluded).',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  private readonly cacheResults = new Counter({
    name: 'ping_cache_results_total',
    help: 'GET /ping answers by cache result: hit, miss, stale, bypass, or error (no answer).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  private readonly storeQueryDuration = new Histogram({
    name: 'ping_store_query_duration_seconds',
    help: 'Time of each call to the ping store, by operation and outcome.',
    labelNames: ['operation', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  private readonly shed = new Counter({
    name: 'ping_requests_shed_total',
    help: 'Requests refused with 503 overloaded before any work, because the process was overloaded: event_loop_delay (its event loop lagging) or in_flight (too many requests at once).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  private readonly storeSaturated = new Counter({
    name: 'ping_store_saturated_total',
    help: 'Store calls refused at once because every pooled connection was busy and the queue for them was full or too slow (answered 503 overloaded, or STALE).',
    registers: [this.registry],
  });

  private readonly dependencyUp = new Gauge({
    name: 'ping_dependency_up',
    help: '1 while the dependency answers, 0 from its first failure until it answers again.',
    labelNames: ['dependency'] as const,
    registers: [this.registry],
  });

  private readonly breakerState = new Gauge({
    name: 'ping_circuit_breaker_state',
    help: 'Circuit breaker position: 0 closed, 1 half-open (probing), 2 open (calls short-circuited).',
    labelNames: ['breaker'] as const,
    registers: [this.registry],
  });

  private readonly rateLimited = new Counter({
    name: 'ping_rate_limited_total',
    help: 'Requests refused with 429 by a rate limit (writes: POST /pings per client).',
    labelNames: ['limiter'] as const,
    registers: [this.registry],
  });

  private readonly rateLimiterShared = new Gauge({
    name: 'ping_rate_limiter_shared',
    help: '1 while the limit is counted in Redis for the whole fleet, 0 while this instance counts alone in memory (Redis down or not configured).',
    labelNames: ['limiter'] as const,
    registers: [this.registry],
  });

  readonly contentType = this.registry.contentType;

  /**
   * Label children looked up once per label set instead of hashing labels on every request
   * (prom-client's `observe(labels, v)` does). Bounded: methods, route templates and status
   * codes are few.
   */
  private readonly requestSeries = new Map<string, { observe(seconds: number): void }>();
  private readonly cacheResultSeries = new Map<CacheResult, { inc(): void }>(
    CACHE_RESULTS.map((result) => [result, this.cacheResults.labels({ result })]),
  );

  constructor() {
    // Zeroes from the start, so rate() and ratios work before the first occurrence of each label.
    for (const result of CACHE_RESULTS) this.cacheResults.inc({ result }, 0);
    for (const reason of ['event_loop_delay', 'in_flight']) this.shed.inc({ reason }, 0);
    for (const dependency of ['store', 'cache'] as const) this.dependencyUp.set({ dependency }, 1);
    const pools = this.pools;
    new Gauge({
      name: 'ping_store_pool_connections',
      help: 'Connections of the store pool by state: used, free, pending (callers waiting), max.',
      labelNames: ['pool', 'state'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [pool, source] of pools) {
          const stats: PoolStats | null = source.poolStats();
          if (!stats) continue;
          for (const state of ['used', 'free', 'pending', 'max'] as const) this.set({ pool, state }, stats[state]);
        }
      },
    });
  }

  watchRedisServer(address: () => string | null): void {
    new Gauge({
      name: 'ping_redis_master_info',
      help: 'The Redis server in use (behind sentinels: the current master), by address; absent while disconnected.',
      labelNames: ['address'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        const current = address();
        if (current) this.set({ address: current }, 1);
      },
    });
  }

  observeRequest(method: string, route: string, statusCode: number, seconds: number): void {
    const key = `${method} ${statusCode} ${route}`;
    let series = this.requestSeries.get(key);
    if (!series) {
      series = this.requestDuration.labels({ method, route, status_code: statusCode });
      this.requestSeries.set(key, series);
    }
    series.observe(seconds);
  }

  countCacheResult(result: CacheResult): void {
    this.cacheResultSeries.get(result)?.inc();
  }

  observeStoreQuery(operation: string, ok: boolean, seconds: number): void {
    this.storeQueryDuration.observe({ operation, outcome: ok ? 'ok' : 'error' }, seconds);
  }

  countShed(reason: string): void {
    this.shed.inc({ reason });
  }

  countStoreSaturated(): void {
    this.storeSaturated.inc();
  }

  setDependencyUp(dependency: Dependency, up: boolean): void {
    this.dependencyUp.set({ dependency }, up ? 1 : 0);
  }

  countRateLimited(limiter: string): void {
    this.rateLimited.inc({ limiter });
  }

  setRateLimiterShared(limiter: string, shared: boolean): void {
    // A zero for the counter from the first decision on, so rate() works before the first refusal.
    this.rateLimited.inc({ limiter }, 0);
    this.rateLimiterShared.set({ limiter }, shared ? 1 : 0);
  }

  setBreakerState(breaker: string, state: BreakerState): void {
    this.breakerState.set({ breaker }, BREAKER_LEVEL[state]);
  }

  watchPool(pool: string, source: PoolStatsSource): void {
    this.pools.set(pool, source);
  }

  async render(): Promise<string> {
    const [own, process] = await Promise.all([this.registry.metrics(), processMetricsRegistry().metrics()]);
    return `${own}\n${process}`;
  }
}
