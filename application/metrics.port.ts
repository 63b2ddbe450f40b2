/**
 * The `result` label of a `GET /ping`: the public spelling of the domain's `PingOutcome` (mapped
 * in ping-use-cases.ts), or `error` for a request that failed.
 */
export type CacheResult = 'hit' | 'miss' | 'stale' | 'bypass' | 'error';

/** What the HTTP layer counts: one answered request, and each request shed unanswered by its route. */
export interface RequestMetrics {
  /** `route` is the route template (`/pings`), never the raw path: labels must stay few. */
  observeRequest(method: string, route: string, statusCode: number, seconds: number): void;
  /** `reason`: why the process refused it (a few fixed words). */
  countShed(reason: string): void;
}

/** What the use cases count: the outcome of each GET /ping. */
export interface CacheMetrics {
  countCacheResult(result: CacheResult): void;
}

/** What the HTTP layer serves at /metrics. */
export interface MetricsExposition {
  readonly contentType: string;
  render(): Promise<string>;
}

/** For compositions that measure nothing (a use case built by hand in a test). */
export const NO_CACHE_METRICS: CacheMetrics = { countCacheResult() {} };
