import { ConfigError } from './config-error.js';
import type { Env } from './env-schema.js';

export interface RedisSentinelConfig {
  readonly sentinels: ReadonlyArray<{ readonly host: string; readonly port: number }>;
  readonly masterName: string;
  readonly sentinelPassword: string | null;
  /** The data nodes' (master and replicas') password and database index. */
  readonly password: string | null;
  readonly db: number;
  /** TLS to the sentinels and to the data nodes alike. */
  readonly tls: boolean;
}

/** The variables that only mean something in Sentinel mode (with REDIS_URI they go in the URL). */
const SENTINEL_ONLY = [
  'REDIS_SENTINEL_MASTER',
  'REDIS_SENTINEL_PASSWORD',
  'REDIS_PASSWORD',
  'REDIS_DB',
  'REDIS_TLS',
] as const;

export function redisSentinel(env: Env): RedisSentinelConfig | null {
  if (env.REDIS_URI && env.REDIS_SENTINELS) {
    throw new ConfigError(
      'REDIS_SENTINELS',
      'invalid configuration: REDIS_URI and REDIS_SENTINELS are both set: set one (REDIS_SENTINELS for Sentinel mode)',
    );
  }
  if (!env.REDIS_SENTINELS) {
    const stray = SENTINEL_ONLY.find((variable) => env[variable] !== undefined);
    if (stray) {
      throw new ConfigError(
        stray,
        `invalid configuration: ${stray} only applies with REDIS_SENTINELS (with REDIS_URI, put it in the URL: redis[s]://:password@host:6379/db)`,
      );
    }
    return null;
  }
  if (!env.REDIS_SENTINEL_MASTER) {
    throw new ConfigError(
      'REDIS_SENTINEL_MASTER',
      "invalid configuration: REDIS_SENTINEL_MASTER is required with REDIS_SENTINELS (the master set's name, e.g. mymaster)",
    );
  }
  return {
    sentinels: env.REDIS_SENTINELS,
    masterName: env.REDIS_SENTINEL_MASTER,
    sentinelPassword: env.REDIS_SENTINEL_PASSWORD ?? null,
    password: env.REDIS_PASSWORD ?? null,
    db: env.REDIS_DB ?? 0,
    tls: env.REDIS_TLS ?? false,
  };
}
