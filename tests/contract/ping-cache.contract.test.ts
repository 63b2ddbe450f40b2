import { MemoryPingCache } from '../../infrastructure/memory/memory-ping-cache.js';
import { RedisPingCache } from '../../infrastructure/redis/redis-ping-cache.js';
import { openTestRedis, sleep } from '../support/backend-fixtures.js';
import { FakeClock } from '../support/fake-clock.js';
import { pingCacheContract } from './ping-cache.contract.js';

pingCacheContract('MemoryPingCache', async () => {
  const clock = new FakeClock();
  return { cache: new MemoryPingCache(clock), elapse: async (ms) => clock.advance(ms), close: async () => {} };
});

pingCacheContract('RedisPingCache (TEST_REDIS_URI)', async () => {
  const redis = await openTestRedis('ping-service-contract');
  return { cache: new RedisPingCache(redis.client, redis.prefix), elapse: sleep, close: redis.close };
});
