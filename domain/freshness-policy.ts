import type { CachedPing } from './ping-cache.port.js';
import type { Ping } from './ping.js';

/** How long a cached ping counts, and how long past that it may still stand in for the store. */
export interface FreshnessWindow {
  /** How long a recorded ping is served from the cache without touching the store. */
  readonly ttlMs: number;
  /** How long past its freshness an entry may still be served if the store fails. */
  readonly staleGraceMs: number;
}

/** The cache-aside freshness rules as plain arithmetic on instants (epoch ms): no ports, no I/O. */
export class FreshnessPolicy {
  constructor(private readonly window: FreshnessWindow) {}

  isFresh(entry: CachedPing, now: number): boolean {
    return entry.freshUntil > now;
  }

  /** Whether an expired entry may still be served because the store is out. */
  mayServeStale(entry: CachedPing, now: number): boolean {
    return entry.freshUntil + this.window.staleGraceMs > now;
  }

  /**
   * The entry for a ping recorded at `now`, and how long the caches keep it: past its freshness
   * for the whole grace, or there would be nothing stale to serve when the store fails.
   */
  entryFor(ping: Ping, now: number): { entry: CachedPing; keepMs: number } {
    return {
      entry: { ping, freshUntil: now + this.window.ttlMs },
      keepMs: this.window.ttlMs + this.window.staleGraceMs,
    };
  }
}
