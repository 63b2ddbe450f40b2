import type { Config } from '../config/config.js';
import { MemoryPingCache } from '../memory/memory-ping-cache.js';
import { createRedisClient } from '../redis/create-redis-client.js';
import { RedisConnection } from '../redis/redis-connection.js';
import { RedisPingCache } from '../redis/redis-ping-cache.js';
import { RedisRecordLease } from '../redis/redis-record-lease.js';
import { BreakerGuardedPingCache } from '../resilience/breaker-guarded-ping-cache.js';
import { BreakerGuardedRecordLease } from '../resilience/breaker-guarded-record-lease.js';
import { makeCacheBreaker } from '../resilience/make-breaker.js';
import { managed, type Bind } from './binding.js';

/**
 * The Redis connection, its breaker, the two cache tiers and the record lease. Each port gives
 * breaker(Redis adapter) with Redis; without it, the in-process cache and no lease.
 */
export function bindCache(bind: Bind, config: Config): void {
  // REDIS_URI (one server) or REDIS_SENTINELS (the master the sentinels name); neither: in-process.
  bind('RedisConnection', (get) => {
    const { uri, sentinel } = config.redis;
    const logger = get('Logger');
    const client = sentinel
      ? createRedisClient({ ...config.redis, uri: null, sentinel }, logger)
      : uri
        ? createRedisClient({ ...config.redis, uri, sentinel: null }, logger)
        : null;
    if (!client) return null;
    const connection = managed(get, new RedisConnection(client, logger));
    get('Metrics').watchRedisServer(() => connection.serverAddress());
    return connection;
  });
  // One breaker for the cache and the lease: during an outage no request pays the command
  // timeout, and one probe per reset period looks for recovery.
  bind('RedisBreaker', (get) =>
    makeCacheBreaker(config.redis.breakerResetMs, {
      clock: get('Clock'),
      metrics: get('Metrics'),
      logger: get('Logger'),
    }),
  );
  bind('RawSharedPingCache', (get) => {
    const connection = get('RedisConnection');
    return connection ? new RedisPingCache(connection.client, config.redis.keyPrefix) : null;
  });
  bind('SharedPingCache', (get) => {
    const redis = get('RawSharedPingCache');
    return redis ? new BreakerGuardedPingCache(redis, get('RedisBreaker')) : new MemoryPingCache(get('Clock'));
  });
  bind('LocalPingCache', (get) => new MemoryPingCache(get('Clock')));
  bind('RawRecordLease', (get) => {
    const connection = get('RedisConnection');
    return connection ? new RedisRecordLease(connection.client, config.redis.keyPrefix) : null;
  });
  // Without Redis the cache is in-process, so there is one instance by construction and
  // single-flight suffices: no cross-instance lease.
  bind('RecordLease', (get) => {
    const redis = get('RawRecordLease');
    return redis ? new BreakerGuardedRecordLease(redis, get('RedisBreaker')) : null;
  });
}
