import type { ErrorReporter } from '../../application/error-reporter.port.js';
import type { Logger } from '../../application/logger.port.js';
import type { ServiceMetrics } from '../metrics/service-metrics.js';
import type { PingUseCases } from '../../application/ping-use-cases.js';
import type { Readiness, ReadinessCheck } from '../../application/readiness.js';
import type { WriteGuards } from '../../application/write-guards.port.js';
import type { Clock } from '../../domain/clock.port.js';
import type { DependencyMonitor } from '../../domain/dependency-monitor.port.js';
import type { PingCache } from '../../domain/ping-cache.port.js';
import type { PingService } from '../../domain/ping-service.js';
import type { PingStore } from '../../domain/ping-store.port.js';
import type { RecordLease } from '../../domain/record-lease.port.js';
import type { PingDatabase } from '../postgres/ping-database.js';
import type { RedisConnection } from '../redis/redis-connection.js';
import type { CircuitBreakerGuard } from '../resilience/circuit-breaker.js';
import type { Tracing } from '../tracing/tracing.js';
import type { Lifecycle } from './lifecycle.js';

declare const service: unique symbol;
/** A Symbol that carries the type of the service it names. */
type Token<T> = symbol & { readonly [service]: T };
const token = <T>(name: string) => Symbol.for(`ping-service.${name}`) as Token<T>;

/**
 * Inversify service identifiers, each typed with what it gives: the one list the bindings and
 * the overrides are derived from, so a binding or an override of the wrong type does not compile.
 * A port's name gives the fully wrapped adapter; `Raw...` gives the adapter alone, so a test can
 * swap it (a failing store) and still get the real wrapping around it.
 */
export const TOKENS = {
  // observability
  Logger: token<Logger>('Logger'),
  Metrics: token<ServiceMetrics>('Metrics'),
  ErrorReporter: token<ErrorReporter>('ErrorReporter'),
  DependencyMonitor: token<DependencyMonitor>('DependencyMonitor'),
  Clock: token<Clock>('Clock'),
  /** Null when tracing is off: nothing is wrapped, no span is made. */
  Tracing: token<Tracing | null>('Tracing'),
  Lifecycle: token<Lifecycle>('Lifecycle'),
  // store: breaker(measured(raw))
  PingDatabase: token<PingDatabase>('PingDatabase'),
  RawPingStore: token<PingStore>('RawPingStore'),
  StoreBreaker: token<CircuitBreakerGuard>('StoreBreaker'),
  PingStore: token<PingStore>('PingStore'),
  // cache: the Redis ones are null without REDIS_URI or REDIS_SENTINELS
  RedisConnection: token<RedisConnection | null>('RedisConnection'),
  /** One breaker for everything that talks to Redis; made only when a Redis adapter is. */
  RedisBreaker: token<CircuitBreakerGuard>('RedisBreaker'),
  RawSharedPingCache: token<PingCache | null>('RawSharedPingCache'),
  /** breaker(Redis), or in-process without Redis. */
  SharedPingCache: token<PingCache>('SharedPingCache'),
  LocalPingCache: token<PingCache>('LocalPingCache'),
  RawRecordLease: token<RecordLease | null>('RawRecordLease'),
  /** breaker(Redis), or none without Redis (one instance: single-flight suffices). */
  RecordLease: token<RecordLease | null>('RecordLease'),
  // application
  ReadinessChecks: token<readonly ReadinessCheck[]>('ReadinessChecks'),
  Readiness: token<Readiness>('Readiness'),
  PingService: token<PingService>('PingService'),
  PingUseCases: token<PingUseCases>('PingUseCases'),
  // the edge: who may write, how often
  WriteGuards: token<WriteGuards>('WriteGuards'),
} as const;

export type ServiceName = keyof typeof TOKENS;
/** Everything the container holds, by name and type. */
export type Services = { [K in ServiceName]: (typeof TOKENS)[K] extends Token<infer T> ? T : never };

/** Replacement values by name: tests swap any service (a fake clock, a failing store) here. */
export type ContainerOverrides = Partial<Services>;

/** What resolves services (the container). */
interface Resolver {
  get<T>(token: symbol): T;
}

/** `resolve(container, 'Readiness')`: typed by the name. */
export function resolve<K extends ServiceName>(container: Resolver, name: K): Services[K] {
  return container.get<Services[K]>(TOKENS[name]);
}
