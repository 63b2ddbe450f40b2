import * as v from 'valibot';
import { ConfigError } from './config-error.js';
import { envSchema, type Env } from './env-schema.js';
import { redisSentinel, type RedisSentinelConfig } from './redis-sentinel-config.js';
import type { OtlpProtocol, SamplerName } from './tracing-env.js';

export { ConfigError };
export type { RedisSentinelConfig };

export interface Config {
  readonly nodeEnv: string;
  readonly http: {
    readonly port: number;
    readonly host: string;
    /** How long an idle keep-alive connection stays open: above the load balancer's idle timeout. */
    readonly keepAliveTimeoutMs: number;
    /** The listener of `/metrics` alone (0 in tests: any free port), never routed by the Ingress. */
    readonly metricsPort: number;
    /** Proxies in front whose `X-Forwarded-For` entry names the client (0: the socket's address). */
    readonly trustedProxyHops: number;
  };
  /** Who may `POST /pings`, and how often one client may. */
  readonly writes: {
    /** Bearer tokens that `POST /pings` requires; empty: anyone may write. */
    readonly tokens: readonly string[];
    /** Writes per client per minute, across the fleet; 0: no limit (a gateway in front limits). */
    readonly limitPerMinute: number;
  };
  /** `npm run prune` deletes pings older than this (never the newest). */
  readonly retention: { readonly days: number };
  /** null: the embedded store under `dataDir`. */
  readonly postgres: {
    readonly uri: string | null;
    readonly dataDir: string;
    readonly poolMax: number;
  };
  /** null uri and null sentinel: the in-process cache. */
  readonly redis: {
    readonly uri: string | null;
    /** Sentinel mode (REDIS_SENTINELS): ask the sentinels where the master is. */
    readonly sentinel: RedisSentinelConfig | null;
    readonly keyPrefix: string;
  };
  readonly sentry: {
    readonly dsn: string | null;
    readonly environment: string;
    readonly release: string | null;
  };
  /** null: tracing off (no OTLP endpoint set), and nothing of OpenTelemetry's SDK is loaded. */
  readonly tracing: TracingConfig | null;
  readonly cache: {
    readonly ttlMs: number;
    readonly staleGraceMs: number;
  };
  readonly log: { readonly level: string };
  readonly shutdown: { readonly delayMs: number; readonly timeoutMs: number };
}

export interface TracingConfig {
  /** Where spans are sent: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as given, or ENDPOINT + /v1/traces. */
  readonly tracesUrl: string;
  readonly protocol: OtlpProtocol;
  /** OTEL_SERVICE_NAME; null: service.name from OTEL_RESOURCE_ATTRIBUTES, else `ping-service`. */
  readonly serviceName: string | null;
  readonly sampler: SamplerName;
  /** The ratio of the `traceidratio` samplers, 0..1 (OTEL_TRACES_SAMPLER_ARG, default 1). */
  readonly samplerRatio: number;
}

/** Parses and checks the environment. Values are never echoed: some of them hold passwords. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  // Containers and CI often pass unset variables as empty strings: treat both alike.
  const set = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = v.safeParse(envSchema, set);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const variable = String(issue.path?.[0]?.key ?? 'environment');
    throw new ConfigError(variable, `invalid configuration: ${variable} ${issue.message}`);
  }
  const env = parsed.output;
  const production = env.NODE_ENV === 'production';
  const sentinel = redisSentinel(env);
  if (production) {
    if (!env.POSTGRES_URI) throw requiredInProduction('POSTGRES_URI', 'POSTGRES_URI');
    if (!env.REDIS_URI && !sentinel) throw requiredInProduction('REDIS_URI', 'REDIS_URI or REDIS_SENTINELS');
  }
  const tokens = writeTokens(env, production);
  if (env.METRICS_PORT === env.PORT) {
    throw new ConfigError('METRICS_PORT', 'invalid configuration: METRICS_PORT must differ from PORT');
  }
  return {
    nodeEnv: env.NODE_ENV,
    http: {
      port: env.PORT,
      host: env.HOST,
      keepAliveTimeoutMs: env.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      metricsPort: env.METRICS_PORT,
      trustedProxyHops: env.TRUSTED_PROXY_HOPS,
    },
    writes: { tokens, limitPerMinute: env.WRITE_RATE_LIMIT_PER_MINUTE },
    retention: { days: env.RETENTION_DAYS },
    postgres: { uri: env.POSTGRES_URI ?? null, dataDir: env.DATA_DIR, poolMax: env.PG_POOL_MAX },
    redis: { uri: env.REDIS_URI ?? null, sentinel, keyPrefix: env.REDIS_KEY_PREFIX },
    sentry: {
      dsn: env.SENTRY_DSN ?? null,
      environment: env.SENTRY_ENVIRONMENT ?? env.NODE_ENV,
      release: env.SENTRY_RELEASE ?? null,
    },
    tracing: tracingConfig(env),
    cache: { ttlMs: env.CACHE_TTL_SECONDS * 1000, staleGraceMs: env.STALE_GRACE_SECONDS * 1000 },
    log: { level: env.LOG_LEVEL },
    // Production sits behind a load balancer that needs a moment to see readiness turn 503.
    shutdown: { delayMs: env.SHUTDOWN_DELAY_MS ?? (production ? 5_000 : 0), timeoutMs: env.SHUTDOWN_TIMEOUT_MS },
  };
}

/**
 * On when an OTLP endpoint is set. The signal's own variables win over the general ones, as the
 * specification says; the general endpoint is a base URL that the traces path is appended to.
 */
function tracingConfig(env: Env): TracingConfig | null {
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const tracesUrl = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (base && `${base.replace(/\/+$/, '')}/v1/traces`);
  if (!tracesUrl) return null;
  return {
    tracesUrl,
    protocol: env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf',
    serviceName: env.OTEL_SERVICE_NAME ?? null,
    sampler: env.OTEL_TRACES_SAMPLER,
    samplerRatio: env.OTEL_TRACES_SAMPLER_ARG ?? 1,
  };
}

/**
 * Open writes are a choice, never an accident: production needs WRITE_TOKENS, or PUBLIC_WRITES=true
 * to say that anyone may write. Both at once is a mistake either way.
 */
function writeTokens(env: Env, production: boolean): readonly string[] {
  const tokens = env.WRITE_TOKENS ?? [];
  if (tokens.length > 0 && env.PUBLIC_WRITES) {
    throw new ConfigError(
      'PUBLIC_WRITES',
      'invalid configuration: PUBLIC_WRITES=true and WRITE_TOKENS are both set: set one (WRITE_TOKENS to require a token)',
    );
  }
  if (production && tokens.length === 0 && !env.PUBLIC_WRITES) {
    throw new ConfigError(
      'WRITE_TOKENS',
      'invalid configuration: WRITE_TOKENS is required when NODE_ENV=production, or PUBLIC_WRITES=true to let anyone write',
    );
  }
  return tokens;
}

function requiredInProduction(variable: string, what: string): ConfigError {
  return new ConfigError(
    variable,
    `invalid configuration: ${what} is required when NODE_ENV=production (no embedded fallback in production)`,
  );
}

/** `scheme://user:***@host/db`: for logs and start-up lines. */
export function maskUrl(uri: string): string {
  try {
    const url = new URL(uri);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '(unparseable URL)';
  }
}
