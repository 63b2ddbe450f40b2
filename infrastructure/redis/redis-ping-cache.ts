import type { Redis } from 'ioredis';
import { CacheUnavailableError } from '../../domain/errors.js';
import type { CachedPing, PingCache } from '../../domain/ping-cache.port.js';
import { withoutCommandArgs } from './redis-error.js';
import { parseCachedPing, serializeCachedPing } from './redis-cached-ping-schema.js';

/**
 * The shared cache of pings in Redis, one JSON string per key under a versioned prefix
 * (REDIS_KEY_PREFIX, `ping-service:v1:` by default): a new value format takes a new prefix, so
 * old and new versions of the service can run side by side during a rollout.
 */
export class RedisPingCache implements PingCache {
  /**
   * The last value read and what it parsed to. A hot key is read thousands of times per second
   * and changes once per TTL: parsing and validating it once per change, not once per read,
   * takes that work off the cache-hit path (and hands the HTTP layer the same object, whose
   * serialised answer it memoises).
   */
  private lastRead: { raw: string; entry: CachedPing | null } | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
  ) {}

  async get(key: string): Promise<CachedPing | null> {
    let raw: string | null;
    try {
      raw = await this.redis.get(this.keyPrefix + key);
    } catch (error) {
      // Something else lives under our key (a hash, a list): unreadable, so a miss, and the
      // next SET replaces it. Any other failure means Redis itself cannot answer.
      if (error instanceof Error && error.message.startsWith('WRONGTYPE')) return null;
      throw new CacheUnavailableError('Redis GET failed', { cause: withoutCommandArgs(error) });
    }
    if (raw === null) return null;
    if (this.lastRead?.raw !== raw) this.lastRead = { raw, entry: parseCachedPing(raw) };
    return this.lastRead.entry;
  }

  async set(key: string, entry: CachedPing, ttlMs: number): Promise<void> {
    try {
      // PX takes whole milliseconds, at least 1.
      await this.redis.set(this.keyPrefix + key, serializeCachedPing(entry), 'PX', Math.max(1, Math.ceil(ttlMs)));
    } catch (error) {
      throw new CacheUnavailableError('Redis SET failed', { cause: withoutCommandArgs(error) });
    }
  }
}
