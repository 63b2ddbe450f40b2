import { MemoryRecordLease } from '../../infrastructure/memory/memory-record-lease.js';
import { RedisRecordLease } from '../../infrastructure/redis/redis-record-lease.js';
import { openTestRedis, sleep } from '../support/backend-fixtures.js';
import { FakeClock } from '../support/fake-clock.js';
import { recordLeaseContract } from './record-lease.contract.js';

recordLeaseContract('MemoryRecordLease', async () => {
  const clock = new FakeClock();
  return { lease: new MemoryRecordLease(clock), elapse: async (ms) => clock.advance(ms), close: async () => {} };
});

recordLeaseContract('RedisRecordLease (TEST_REDIS_URI)', async () => {
  const redis = await openTestRedis('ping-service-contract');
  return { lease: new RedisRecordLease(redis.client, redis.prefix), elapse: sleep, close: redis.close };
});
