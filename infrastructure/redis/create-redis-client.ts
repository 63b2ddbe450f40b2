import { Redis } from 'ioredis';
import type { Logger } from '../../application/logger.port.js';
import { withoutCommandArgs } from './redis-error.js';

export interface RedisClientSettings {
  /** `redis://` or `rediss://` (TLS), with optional `user:password@` and `/db` index. */
  readonly uri: string;
  readonly connectTimeoutMs: number;
  readonly commandTimeoutMs: number;
}

/** Longest pause between reconnect attempts: an outage is noticed within this once it ends. */
const MAX_RECONNECT_DELAY_MS = 2_000;

/**
 * An ioredis client that fails fast instead of waiting: the cache is an optimisation, and a
 * request must never queue behind an unreachable Redis. Not connected yet: `connect()` (the
 * Lifecycle does it at start) opens it, and it reconnects by itself forever after.
 */
export function createRedisClient(settings: RedisClientSettings, logger: Logger): Redis {
  const client = new Redis(settings.uri, {
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
  });

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
