import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../../application/logger.port.js';
import { withoutCommandArgs } from './redis-error.js';
import type { RedisSentinelConfig } from '../config/config.js';

/**
 * How long the cache may cost a request. Redis answers on the same network in well under a
 * millisecond, so a command that takes a quarter of a second is a Redis in trouble: the request
 * goes on without the cache (BYPASS) rather than wait. Connecting gets longer (TLS, a sentinel
 * round trip first).
 */
export const REDIS_BUDGETS = { connectTimeoutMs: 1_000, commandTimeoutMs: 250 } as const;

/** Either `uri` (one server) or `sentinel` (ask the sentinels for the master). */
export type RedisClientSettings = RedisTarget & {
  readonly connectTimeoutMs: number;
  readonly commandTimeoutMs: number;
};

type RedisTarget =
  /** `redis://` or `rediss://` (TLS), with optional `user:password@` and `/db` index. */
  { readonly uri: string; readonly sentinel?: null } | { readonly uri?: null; readonly sentinel: RedisSentinelConfig };

/** Longest pause between reconnect attempts: an outage is noticed within this once it ends. */
const MAX_RECONNECT_DELAY_MS = 2_000;

/**
 * An ioredis client that fails fast instead of waiting: the cache is an optimisation, and a
 * request must never queue behind an unreachable Redis. Not connected yet: `connect()` (the
 * Lifecycle does it at start) opens it, and it reconnects by itself forever after.
 */
export function createRedisClient(settings: RedisClientSettings, logger: Logger): Redis {
  const options: RedisOptions = {
    lazyConnect: true,
    connectionName: 'ping-service',
    connectTimeout: settings.connectTimeoutMs,
    commandTimeout: settings.commandTimeoutMs,
    // A socket that stops answering is torn down and reconnected, instead of failing one
    // command after another on its timeout.
    socketTimeout: Math.max(1_000, 4 * settings.commandTimeoutMs),
    // While disconnected, commands fail at once rather than waiting in memory for a reconnect.
    enableOfflineQueue: false,
    // A command caught by a dropped connection is retried once on the next one, then fails.
    maxRetriesPerRequest: 1,
    // Exponential backoff with jitter, capped, so many instances do not reconnect in lockstep.
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, MAX_RECONNECT_DELAY_MS) * (0.5 + Math.random() / 2),
  };
  const client = settings.sentinel
    ? new Redis({ ...options, ...sentinelOptions(settings.sentinel, settings.connectTimeoutMs) })
    : new Redis(settings.uri, options);

  // Without an 'error' listener an EventEmitter error would crash the process. ioredis emits one
  // per failed reconnect attempt: warn once per outage, then only at debug level.
  const log = logger.child({ component: 'redis' });
  let warned = false;
  client.on('error', (error: Error) => {
    withoutCommandArgs(error); // a failed connect's HELLO carries the password
    if (warned) return log.debug({ err: error }, 'redis error');
    warned = true;
    log.warn({ err: error }, 'redis connection error: serving without the shared cache until it is back');
  });
  client.on('ready', () => {
    if (warned) log.info('redis connection restored');
    warned = false;
  });
  return client;
}

/**
 * ioredis' own Sentinel support: it asks the sentinels in turn for the master of `masterName`,
 * checks the node's ROLE before using it, and asks again whenever the connection drops. The
 * failover detector also subscribes to the sentinels' `+switch-master`, so a failover moves the
 * client at once instead of when the old master's socket happens to fail.
 */
function sentinelOptions(sentinel: RedisSentinelConfig, connectTimeoutMs: number): RedisOptions {
  const tls = sentinel.tls ? {} : undefined;
  return {
    sentinels: sentinel.sentinels.map(({ host, port }) => ({ host, port })),
    name: sentinel.masterName,
    role: 'master',
    sentinelPassword: sentinel.sentinelPassword ?? undefined,
    password: sentinel.password ?? undefined,
    db: sentinel.db,
    // TLS to the data nodes (ioredis needs both flags in Sentinel mode) and to the sentinels.
    enableTLSForSentinelMode: sentinel.tls,
    tls,
    sentinelTLS: tls,
    sentinelCommandTimeout: connectTimeoutMs,
    failoverDetector: true,
    // Past the last sentinel, start over after a short pause rather than give up.
    sentinelRetryStrategy: (attempt) => Math.min(100 * attempt, MAX_RECONNECT_DELAY_MS),
  };
}
