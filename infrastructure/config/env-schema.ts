import * as v from 'valibot';
import { parsePostgresUri, PostgresUriError } from '../postgres/postgres-hosts.js';
import { tracingEnv } from './tracing-env.js';

// valibot rather than zod: only the schema functions used are loaded, a fraction of zod's heap.

const integerIn = (min: number, max: number) => {
  const range = `must be an integer from ${min} to ${max}`;
  return v.pipe(
    v.string(),
    v.regex(/^\d+$/, range),
    v.transform(Number),
    v.minValue(min, range),
    v.maxValue(max, range),
  );
};
const int = (min: number, max: number, fallback: number) => v.optional(integerIn(min, max), String(fallback));

const url = (protocols: readonly string[], what: string) =>
  v.optional(
    v.pipe(
      v.string(),
      v.check(
        (value) => {
          try {
            return protocols.includes(new URL(value).protocol);
          } catch {
            return false;
          }
        },
        `must be a ${what} URL (${protocols.map((p) => p + '//').join(' or ')})`,
      ),
    ),
  );

const flag = v.pipe(
  v.picklist(['true', 'false', '1', '0'], 'must be true or false'),
  v.transform((value) => value === 'true' || value === '1'),
);

const text = (fallback: string, pattern?: RegExp, message?: string) =>
  v.optional(pattern ? v.pipe(v.string(), v.regex(pattern, message)) : v.string(), fallback);

/** libpq's URI, with several hosts and `target_session_attrs` (see postgres-hosts.ts). */
const postgresUri = v.optional(
  v.pipe(
    v.string(),
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      try {
        parsePostgresUri(dataset.value);
      } catch (error) {
        addIssue({ message: error instanceof PostgresUriError ? error.message : 'must be a PostgreSQL URL' });
      }
    }),
  ),
);

/** `host:port,host:port` (port 26379 when left out): the sentinels to ask for the master. */
const sentinelList = v.optional(
  v.pipe(
    v.string(),
    v.regex(/^[\w.-]+(:\d{1,5})?(,[\w.-]+(:\d{1,5})?)*$/, 'must be a comma-separated list of host:port'),
    v.transform((list) =>
      list.split(',').map((entry) => {
        const [host, port] = entry.split(':');
        return { host: host!, port: port === undefined ? 26379 : Number(port) };
      }),
    ),
    v.check((list) => list.every(({ port }) => port >= 1 && port <= 65535), 'has a port outside 1..65535'),
  ),
);

/**
 * RFC 6750's b64token, at least 16 characters: a token short enough to guess is no credential,
 * and the log masker hides each configured token wherever it appears (a short one would mask
 * ordinary words).
 */
const BEARER_TOKEN = /^[A-Za-z0-9._~+/-]{16,}=*$/;
const tokenList = v.optional(
  v.pipe(
    v.string(),
    v.transform((list) => list.split(',').map((token) => token.trim())),
    v.check(
      (tokens) => tokens.every((token) => BEARER_TOKEN.test(token)),
      'must be a comma-separated list of tokens, each at least 16 characters of A-Z a-z 0-9 - . _ ~ + / (then = padding)',
    ),
  ),
);

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * Every environment variable the service reads (docs/configuration.md lists the same names, with
 * who sets each and why). Only what an operator must choose for a deployment is here; budgets,
 * breaker timings and other tuning are named constants in the modules that use them. Empty
 * values are removed before parsing (containers and CI often pass unset variables as empty
 * strings), so a default stands for both.
 */
export const envSchema = v.object({
  NODE_ENV: text('development'),
  PORT: int(1, 65535, 5000),
  HOST: text('0.0.0.0', /^[\w.:-]+$/, 'must be a host name or an IP address'),
  POSTGRES_URI: postgresUri,
  DATA_DIR: text('./.data'),
  REDIS_URI: url(['redis:', 'rediss:'], 'Redis'),
  REDIS_SENTINELS: sentinelList,
  REDIS_SENTINEL_MASTER: v.optional(
    v.pipe(v.string(), v.regex(/^[\w.-]{1,128}$/, 'must be a master set name (letters, digits, _ . -)')),
  ),
  REDIS_SENTINEL_PASSWORD: v.optional(v.string()),
  REDIS_PASSWORD: v.optional(v.string()),
  // Unset stays undefined: they apply only with REDIS_SENTINELS (config.ts says so when misused).
  REDIS_DB: v.optional(integerIn(0, 255)),
  REDIS_TLS: v.optional(flag),
  REDIS_KEY_PREFIX: text('ping-service:v1:', /^[\w:.-]{1,64}$/, 'must be 1-64 of letters, digits, _ : . -'),
  SENTRY_DSN: url(['http:', 'https:'], 'Sentry DSN'),
  SENTRY_ENVIRONMENT: v.optional(v.string()),
  SENTRY_RELEASE: v.optional(v.string()),
  CACHE_TTL_SECONDS: int(1, 86_400, 60),
  STALE_GRACE_SECONDS: int(0, 86_400, 300),
  LOG_LEVEL: v.optional(v.picklist(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(', ')}`), 'info'),
  PG_POOL_MAX: int(1, 100, 10),
  // Unset: 5 s in production, 0 elsewhere (config.ts).
  SHUTDOWN_DELAY_MS: v.optional(integerIn(0, 120_000)),
  SHUTDOWN_TIMEOUT_MS: int(100, 600_000, 10_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: int(1_000, 3_600_000, 65_000),
  // Traces: the standard OpenTelemetry variables (tracing-env.ts); off without an endpoint.
  ...tracingEnv,
  // The public edge: metrics off the API port, who may write and how often, how long history lives.
  METRICS_PORT: int(1, 65535, 9464),
  WRITE_TOKENS: tokenList,
  PUBLIC_WRITES: v.optional(flag, 'false'),
  WRITE_RATE_LIMIT_PER_MINUTE: int(0, 1_000_000, 60),
  TRUSTED_PROXY_HOPS: int(0, 10, 0),
  RETENTION_DAYS: int(1, 36_500, 30),
});

export type Env = v.InferOutput<typeof envSchema>;
