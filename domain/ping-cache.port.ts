import type { Ping } from './ping.js';

/** What the cache keeps: the ping and the instant until which it counts as fresh. */
export interface CachedPing {
  readonly ping: Ping;
  /** Epoch ms. Past it the entry is stale: still servable if the store fails. */
  readonly freshUntil: number;
}

/**
 * A key/value cache of pings. Entries vanish after `ttlMs`. Adapters must treat an unreadable
 * entry as missing and throw only when the cache itself cannot answer.
 */
export interface PingCache {
  get(key: string): Promise<CachedPing | null>;
  set(key: string, entry: CachedPing, ttlMs: number): Promise<void>;
}
