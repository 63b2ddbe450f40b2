import 'reflect-metadata';
import { Container } from 'inversify';
import { Lifecycle, type Managed } from '../application/lifecycle.js';
import type { Logger } from '../application/logger.port.js';
import type { Metrics } from '../application/metrics.port.js';
import { PingUseCases } from '../application/ping-use-cases.js';
import { Readiness, type ReadinessCheck } from '../application/readiness.js';
import { TOKENS } from '../application/tokens.js';
import type { Clock } from '../domain/clock.port.js';
import type { DependencyMonitor } from '../domain/dependency-monitor.port.js';
import type { ErrorReporter } from '../domain/error-reporter.port.js';
import type { PingCache } from '../domain/ping-cache.port.js';
import type { PingStore } from '../domain/ping-store.port.js';
import { PingService } from '../domain/ping-service.js';
import type { RecordLease } from '../domain/record-lease.port.js';
import { SystemClock } from './clock/system-clock.js';
import type { Config } from './config/config.js';
import { createLogger } from './logging/logger.js';
import { MemoryPingCache } from './memory/memory-ping-cache.js';
import { LogErrorReporter } from './monitoring/log-error-reporter.js';
import { knexPoolStats } from './metrics/knex-pool-stats.js';
import { MeasuredPingStore } from './metrics/measured-ping-store.js';
import { PromMetrics } from './metrics/prom-metrics.js';
import { sentryReporter } from './sentry/sentry-runtime.js';
import { BACKEND_TOKENS } from './backend-tokens.js';
import { KnexPingStore } from './postgres/knex-ping-store.js';
import { PingDatabase } from './postgres/ping-database.js';
import { createRedisClient } from './redis/create-redis-client.js';
import { RedisConnection } from './redis/redis-connection.js';
import { RedisPingCache } from './redis/redis-ping-cache.js';
import { RedisRecordLease } from './redis/redis-record-lease.js';
import { BreakerGuardedPingCache } from './resilience/breaker-guarded-ping-cache.js';
import { BreakerGuardedRecordLease } from './resilience/breaker-guarded-record-lease.js';
import { BreakerGuardedPingStore } from './resilience/breaker-guarded-ping-store.js';
import type { CircuitBreakerGuard } from './resilience/circuit-breaker.js';
import { makeCacheBreaker, makeStoreBreaker } from './resilience/make-breaker.js';
import { StateChangeMonitor } from './monitoring/state-change-monitor.js';

/** Replacement values by token: tests swap any adapter (a fake clock, a failing store) here. */
export type ContainerOverrides = Partial<Record<symbol, unknown>>;

/**
 * The composition root: the one place that knows which adapter stands behind each port,
 * chosen from the validated configuration. Everything is a singleton for the process.
 */
export function buildContainer(config: Config, overrides: ContainerOverrides = {}): Container {
  const container = new Container({ defaultScope: 'Singleton' });
  const bind = <T>(token: symbol, factory: (get: <U>(t: symbol) => U) => T): void => {
    if (Object.prototype.hasOwnProperty.call(overrides, token)) {
      container.bind<T>(token).toConstantValue(overrides[token] as T);
    } else {
      container.bind<T>(token).toDynamicValue((ctx) => factory((t) => ctx.get(t)));
    }
  };

  bind<Config>(TOKENS.Config, () => config);
  bind<Logger>(TOKENS.Logger, () => createLogger(config));
  bind<Clock>(TOKENS.Clock, () => new SystemClock());
  bind<Lifecycle>(TOKENS.Lifecycle, () => new Lifecycle());
  bind<Metrics>(TOKENS.Metrics, () => new PromMetrics());
  // Sentry when its SDK was started (instrument.ts, or startSentry in the entry point), else the logs.
  bind<ErrorReporter>(TOKENS.ErrorReporter, (get) => {
    const logger = get<Logger>(TOKENS.Logger);
    const reporter = config.sentry.dsn ? sentryReporter(logger) : null;
    if (config.sentry.dsn && !reporter) logger.warn('SENTRY_DSN is set but the Sentry SDK was not started');
    return reporter ?? new LogErrorReporter(logger);
  });
  bind<DependencyMonitor>(TOKENS.DependencyMonitor, (get) => {
    const monitor = new StateChangeMonitor(get(TOKENS.ErrorReporter), get(TOKENS.Logger));
    const metrics = get<Metrics>(TOKENS.Metrics);
    monitor.onChange((dependency, state) => metrics.setDependencyUp(dependency, state === 'up'));
    return monitor;
  });
  // Backends join the Lifecycle when first resolved: start (migrations, connect), then close.
  const managed = <T extends Managed>(get: <U>(t: symbol) => U, component: T): T => {
    get<Lifecycle>(TOKENS.Lifecycle).register(component);
    return component;
  };
  // PostgreSQL when POSTGRES_URI is set, else the embedded PGlite under DATA_DIR.
  bind<PingDatabase>(BACKEND_TOKENS.PingDatabase, (get) => {
    const database = managed(get, PingDatabase.open(config.postgres, get(TOKENS.Logger)));
    get<Metrics>(TOKENS.Metrics).watchPool('postgres', knexPoolStats(database.knex));
    return database;
  });
  // REDIS_URI (one server) or REDIS_SENTINELS (the master the sentinels name); neither: in-process.
  bind<RedisConnection | null>(BACKEND_TOKENS.RedisConnection, (get) => {
    const { uri, sentinel } = config.redis;
    const logger = get<Logger>(TOKENS.Logger);
    const budgets = config.redis;
    const client = sentinel
      ? createRedisClient({ ...budgets, uri: null, sentinel }, logger)
      : uri
        ? createRedisClient({ ...budgets, uri, sentinel: null }, logger)
        : null;
    if (!client) return null;
    const connection = managed(get, new RedisConnection(client, logger));
    get<Metrics>(TOKENS.Metrics).watchRedisServer(() => connection.serverAddress());
    return connection;
  });
  const redis = (get: <U>(t: symbol) => U) => get<RedisConnection | null>(BACKEND_TOKENS.RedisConnection);
  const observers = (get: <U>(t: symbol) => U) => ({
    metrics: get<Metrics>(TOKENS.Metrics),
    logger: get<Logger>(TOKENS.Logger),
  });
  // One breaker for everything that talks to Redis (cache and lease): during an outage no
  // request pays the command timeout, and one probe per reset period looks for recovery.
  bind<CircuitBreakerGuard | null>(BACKEND_TOKENS.RedisBreaker, (get) => {
    if (!redis(get)) return null;
    const breaker = makeCacheBreaker(config.redis.breakerResetMs, observers(get));
    managed(get, { name: 'redis-breaker', close: async () => breaker.close() });
    return breaker;
  });
  const breaker = (get: <U>(t: symbol) => U) => get<CircuitBreakerGuard>(BACKEND_TOKENS.RedisBreaker);
  bind<PingStore>(TOKENS.PingStore, (get) => {
    const database = get<PingDatabase>(BACKEND_TOKENS.PingDatabase);
    return new KnexPingStore(database.knex, database.statementTimeoutMs);
  });
  bind<PingCache>(TOKENS.SharedPingCache, (get) => {
    const connection = redis(get);
    return connection
      ? new BreakerGuardedPingCache(new RedisPingCache(connection.client, config.redis.keyPrefix), breaker(get))
      : new MemoryPingCache(get(TOKENS.Clock));
  });
  bind<PingCache>(TOKENS.LocalPingCache, (get) => new MemoryPingCache(get(TOKENS.Clock)));
  // Without Redis the cache is in-process, so there is one instance by construction and
  // single-flight suffices: no cross-instance lease.
  bind<RecordLease | null>(TOKENS.RecordLease, (get) => {
    const connection = redis(get);
    return connection
      ? new BreakerGuardedRecordLease(new RedisRecordLease(connection.client, config.redis.keyPrefix), breaker(get))
      : null;
  });
  bind<ReadinessCheck[]>(TOKENS.ReadinessChecks, (get) => {
    const database = get<PingDatabase>(BACKEND_TOKENS.PingDatabase);
    const connection = redis(get);
    return [
      { name: 'store', required: true, check: () => database.check() },
      // A cache outage degrades (BYPASS), it does not take the instance out of rotation.
      { name: 'cache', required: false, check: async () => connection?.check() },
    ];
  });
  // Timed inside the breaker, whichever adapter is bound, so the query histogram shows real
  // queries only; the breaker makes a known-dead store fail at once (STALE or 503, no waiting).
  const guardedStore = (get: <U>(t: symbol) => U): PingStore => {
    const { breakerResetMs: resetTimeoutMs, statementTimeoutMs } = config.postgres;
    const breaker = makeStoreBreaker({ resetTimeoutMs, statementTimeoutMs }, observers(get));
    managed(get, { name: 'postgres-breaker', close: async () => breaker.close() });
    return new BreakerGuardedPingStore(new MeasuredPingStore(get(TOKENS.PingStore), get(TOKENS.Metrics)), breaker);
  };
  bind<Readiness>(TOKENS.Readiness, (get) => new Readiness(get(TOKENS.ReadinessChecks), config.readinessTimeoutMs));
  bind<PingService>(
    TOKENS.PingService,
    (get) =>
      new PingService(
        {
          sharedCache: get(TOKENS.SharedPingCache),
          localCache: get(TOKENS.LocalPingCache),
          store: guardedStore(get),
          clock: get(TOKENS.Clock),
          lease: get(TOKENS.RecordLease),
          monitor: get(TOKENS.DependencyMonitor),
        },
        {
          ttlMs: config.cache.ttlMs,
          staleGraceMs: config.cache.staleGraceMs,
          leaseTtlMs: config.cache.leaseTtlMs,
          leaseWaitMs: config.cache.leaseWaitMs,
          leasePollMs: 25,
        },
      ),
  );
  bind<PingUseCases>(TOKENS.PingUseCases, (get) => new PingUseCases(get(TOKENS.PingService), get(TOKENS.Metrics)));
  return container;
}
