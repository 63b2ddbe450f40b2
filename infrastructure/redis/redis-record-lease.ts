import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RecordLease } from '../../domain/record-lease.port.js';
import { withoutCommandArgs } from './redis-error.js';

/**
 * Deletes the key only while it still holds our token. A plain GET then DEL could delete a
 * lease that expired and was taken by another instance in between; the script runs atomically.
 */
const RELEASE_IF_OWNER = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

/** The cross-instance refresh lease: `SET key token NX PX ttl`, released by compare-and-delete. */
export class RedisRecordLease implements RecordLease {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
  ) {}

  async acquire(key: string, ttlMs: number): Promise<string | null> {
    const token = randomUUID();
    const reply = await this.redis
      .set(this.keyPrefix + key, token, 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX')
      .catch((error: unknown) => Promise.reject(withoutCommandArgs(error)));
    return reply === 'OK' ? token : null;
  }

  async release(key: string, token: string): Promise<void> {
    await this.redis
      .eval(RELEASE_IF_OWNER, 1, this.keyPrefix + key, token)
      .catch((error: unknown) => Promise.reject(withoutCommandArgs(error)));
  }
}
