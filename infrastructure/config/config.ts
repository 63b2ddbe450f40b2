import * as v from 'valibot';
import { ConfigError } from './config-error.js';
import { envSchema, type Env } from './env-schema.js';
import type { OtlpProtocol, SamplerName } from './tracing-env.js';

export { ConfigError };

export interface Config {
  readonly nodeEnv: string;
  readonly http: {
    readonly port: number;
    readonly host: string;
    /** How long an idle keep-alive connection stays open: above the load balancer's idle timeout. */
    readonly keepAliveTimeoutMs: number;
  };
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
  return {
    nodeEnv: env.NODE_ENV,
    http: { port: env.PORT, host: env.HOST, keepAliveTimeoutMs: env.HTTP_KEEP_ALIVE_TIMEOUT_MS },
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

function requiredInProduction(variable: string, what: string): ConfigError {
  return new ConfigError(
    variable,
    `invalid configuration: ${what} is required when NODE_ENV=production (no embedded fallback in production)`,
  );
}

/** The variables that only mean something in Sentinel mode (with REDIS_URI they go in the URL). */
const SENTINEL_ONLY = [
  'REDIS_SENTINEL_MASTER',
  'REDIS_SENTINEL_PASSWORD',
  'REDIS_PASSWORD',
  'REDIS_DB',
  'REDIS_TLS',
] as const;

function redisSentinel(env: Env): RedisSentinelConfig | null {
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
