import type { Config } from '../config/config.js';
import { MemoryPingCache } from '../memory/memory-ping-cache.js';
import { createRedisClient, REDIS_BUDGETS } from '../redis/create-redis-client.js';
import { RedisConnection } from '../redis/redis-connection.js';
import { RedisPingCache } from '../redis/redis-ping-cache.js';
import { RedisRecordLease } from '../redis/redis-record-lease.js';
import { BreakerGuardedPingCache } from '../resilience/breaker-guarded-ping-cache.js';
import { BreakerGuardedRecordLease } from '../resilience/breaker-guarded-record-lease.js';
import { makeCacheBreaker } from '../resilience/make-breaker.js';
import { redisTarget } from '../tracing/database-targets.js';
import type { Bind } from './binding.js';

/**
 * The Redis connection, its breaker, the two cache tiers and the record lease. Each port gives
 * breaker(Redis adapter) with Redis, inside a client span per call with tracing on (so a call
 * the open breaker refuses shows in the trace too); without Redis, the in-process cache and no
 * lease.
 */
export function bindCache(bind: Bind, config: Config): void {
  // REDIS_URI (one server) or REDIS_SENTINELS (the master the sentinels name); neither: in-process.
  bind('RedisConnection', (get) => {
    const { uri, sentinel } = config.redis;
    const logger = get('Logger');
    const client = sentinel
      ? createRedisClient({ ...REDIS_BUDGETS, uri: null, sentinel }, logger)
      : uri
        ? createRedisClient({ ...REDIS_BUDGETS, uri, sentinel: null }, logger)
        : null;
    if (!client) return null;
    const connection = new RedisConnection(client, logger);
    get('Metrics').watchRedisServer(() => connection.serverAddress());
    return connection;
  });
  // One breaker for the cache and the lease: during an outage no request pays the command
  // timeout, and one probe per reset period looks for recovery.
  bind('RedisBreaker', (get) =>
    makeCacheBreaker({ clock: get('Clock'), metrics: get('Metrics'), logger: get('Logger') }),
  );
  bind('RawSharedPingCache', (get) => {
    const connection = get('RedisConnection');
    return connection ? new RedisPingCache(connection.client, config.redis.keyPrefix) : null;
  });
  bind('SharedPingCache', (get) => {
    const redis = get('RawSharedPingCache');
    if (!redis) return new MemoryPingCache(get('Clock'));
    const guarded = new BreakerGuardedPingCache(redis, get('RedisBreaker'));
    return get('Tracing')?.cache(guarded, redisTarget(config.redis)) ?? guarded;
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
    if (!redis) return null;
    const guarded = new BreakerGuardedRecordLease(redis, get('RedisBreaker'));
    return get('Tracing')?.lease(guarded, redisTarget(config.redis)) ?? guarded;
  });
}
