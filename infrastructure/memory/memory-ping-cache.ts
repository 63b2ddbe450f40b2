import type { Clock } from '../../domain/clock.port.js';
import type { CachedPing, PingCache } from '../../domain/ping-cache.port.js';

/**
 * In-process cache with per-entry expiry on the injected clock. Serves as the cache when
 * REDIS_URI is unset and as the local tier that keeps the once-per-TTL promise during a Redis
 * outage. Expired entries are dropped when read and swept on write, so it cannot grow unbounded.
 */
export class MemoryPingCache implements PingCache {
  private readonly entries = new Map<string, { entry: CachedPing; expiresAt: number }>();

  constructor(private readonly clock: Clock) {}

  async get(key: string): Promise<CachedPing | null> {
    const found = this.entries.get(key);
    if (!found) return null;
    if (found.expiresAt <= this.clock.now()) {
      this.entries.delete(key);
      return null;
    }
    return found.entry;
  }

  async set(key: string, entry: CachedPing, ttlMs: number): Promise<void> {
    const now = this.clock.now();
    for (const [k, v] of this.entries) if (v.expiresAt <= now) this.entries.delete(k);
    this.entries.set(key, { entry, expiresAt: now + ttlMs });
  }
}
