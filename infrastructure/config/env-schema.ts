import { z } from 'zod';
import { parsePostgresUri, PostgresUriError } from '../postgres/postgres-hosts.js';

/** Containers and CI often pass unset variables as empty strings: treat both alike. */
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

const int = (min: number, max: number, fallback: number) =>
  optional(
    z
      .string()
      .regex(/^\d+$/, `must be an integer from ${min} to ${max}`)
      .transform(Number)
      .pipe(
        z
          .number()
          .int()
          .min(min, `must be an integer from ${min} to ${max}`)
          .max(max, `must be an integer from ${min} to ${max}`),
      ),
  ).transform((v) => v ?? fallback);

const url = (protocols: readonly string[], what: string) =>
  optional(
    z.string().refine(
      (value) => {
        try {
          return protocols.includes(new URL(value).protocol);
        } catch {
          return false;
        }
      },
      `must be a ${what} URL (${protocols.map((p) => p + '//').join(' or ')})`,
    ),
  );

const bool = (fallback: boolean) =>
  optional(z.enum(['true', 'false', '1', '0'], { message: 'must be true or false' })).transform((v) =>
    v === undefined ? fallback : v === 'true' || v === '1',
  );

/** libpq's URI, with several hosts and `target_session_attrs` (see postgres-hosts.ts). */
const postgresUri = optional(
  z.string().superRefine((value, ctx) => {
    try {
      parsePostgresUri(value);
    } catch (error) {
      const reason = error instanceof PostgresUriError ? error.message : 'must be a PostgreSQL URL';
      ctx.addIssue({ code: 'custom', message: reason });
    }
  }),
);

/** `host:port,host:port` (port 26379 when left out): the sentinels to ask for the master. */
const sentinelList = optional(
  z
    .string()
    .regex(/^[\w.-]+(:\d{1,5})?(,[\w.-]+(:\d{1,5})?)*$/, 'must be a comma-separated list of host:port')
    .transform((list) =>
      list.split(',').map((entry) => {
        const [host, port] = entry.split(':');
        return { host: host!, port: port === undefined ? 26379 : Number(port) };
      }),
    )
    .refine((list) => list.every(({ port }) => port >= 1 && port <= 65535), 'has a port outside 1..65535'),
);

/** Every environment variable the service reads. The README lists the same names. */
export const envSchema = z.object({
  NODE_ENV: optional(z.string()).transform((v) => v ?? 'development'),
  PORT: int(1, 65535, 5000),
  HOST: optional(z.string().regex(/^[\w.:-]+$/, 'must be a host name or an IP address')).transform(
    (v) => v ?? '0.0.0.0',
  ),
  POSTGRES_URI: postgresUri,
  DATA_DIR: optional(z.string().min(1)).transform((v) => v ?? './.data'),
  REDIS_URI: url(['redis:', 'rediss:'], 'Redis'),
  REDIS_SENTINELS: sentinelList,
  REDIS_SENTINEL_MASTER: optional(
    z.string().regex(/^[\w.-]{1,128}$/, 'must be a master set name (letters, digits, _ . -)'),
  ),
  REDIS_SENTINEL_PASSWORD: optional(z.string()),
  REDIS_PASSWORD: optional(z.string()),
  REDIS_DB: optional(int(0, 255, 0)),
  REDIS_TLS: optional(bool(false)),
  REDIS_KEY_PREFIX: optional(z.string().regex(/^[\w:.-]{1,64}$/, 'must be 1-64 of letters, digits, _ : . -')).transform(
    (v) => v ?? 'ping-service:v1:',
  ),
  SENTRY_DSN: url(['http:', 'https:'], 'Sentry DSN'),
  SENTRY_ENVIRONMENT: optional(z.string().min(1)),
  SENTRY_RELEASE: optional(z.string().min(1)),
  SENTRY_TRACES_SAMPLE_RATE: optional(
    z
      .string()
      .regex(/^(0(\.\d+)?|1(\.0+)?)$/, 'must be a number from 0 to 1')
      .transform(Number),
  ).transform((v) => v ?? 0),
  CACHE_TTL_SECONDS: int(1, 86_400, 60),
  STALE_GRACE_SECONDS: int(0, 86_400, 300),
  LOG_LEVEL: optional(
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      message: 'must be one of fatal, error, warn, info, debug, trace, silent',
    }),
  ).transform((v) => v ?? 'info'),
  LOG_PRETTY: bool(false),
  REDIS_CONNECT_TIMEOUT_MS: int(50, 60_000, 1_000),
  REDIS_COMMAND_TIMEOUT_MS: int(10, 60_000, 250),
  REDIS_BREAKER_RESET_MS: int(100, 600_000, 2_000),
  PG_POOL_MAX: int(1, 100, 10),
  PG_ACQUIRE_TIMEOUT_MS: int(50, 60_000, 1_000),
  PG_STATEMENT_TIMEOUT_MS: int(50, 600_000, 2_000),
  PG_BREAKER_RESET_MS: int(100, 600_000, 2_000),
  LEASE_TTL_MS: int(100, 60_000, 2_000),
  LEASE_WAIT_MS: int(0, 60_000, 1_000),
  // Unset: 25 ms, or LEASE_WAIT_MS when that is shorter (config.ts checks the pair).
  LEASE_POLL_MS: optional(int(1, 60_000, 25)),
  READINESS_TIMEOUT_MS: int(50, 60_000, 1_000),
  SHUTDOWN_DELAY_MS: optional(int(0, 120_000, 0)),
  SHUTDOWN_TIMEOUT_MS: int(100, 600_000, 10_000),
  HTTP_HEADERS_TIMEOUT_MS: int(100, 600_000, 10_000),
  HTTP_REQUEST_TIMEOUT_MS: int(100, 600_000, 30_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: int(1_000, 3_600_000, 65_000),
  HTTP_MAX_CONNECTIONS: int(1, 1_000_000, 4_096),
});

export type Env = z.output<typeof envSchema>;
