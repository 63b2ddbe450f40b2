import type { FreshnessWindow } from './freshness-policy.js';
import type { LeaseTimings } from './refresh-lease.js';

/** How long a request that has a stale entry in hand waits for the refresh. */
export interface StaleFallback {
  /**
   * Past this, the request answers with its stale entry (STALE) and the one refresh goes on in
   * the background: a slow store costs those requests this much, not the store's whole budget.
   */
  readonly staleFallbackMs: number;
}

/**
 * A refresh is a lease, an insert and a cache write: a few milliseconds on a healthy store, so a
 * tenth of a second is already a store in trouble, and a user waiting for an answer that is
 * there to give.
 */
export const STALE_FALLBACK: StaleFallback = { staleFallbackMs: 100 };

export interface PingPolicy extends FreshnessWindow, LeaseTimings, StaleFallback {}
