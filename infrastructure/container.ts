import 'reflect-metadata';
import { Container } from 'inversify';
import { Lifecycle } from '../application/lifecycle.js';
import type { Logger } from '../application/logger.port.js';
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
import { MemoryPingStore } from './memory/memory-ping-store.js';
import { LogErrorReporter } from './monitoring/log-error-reporter.js';
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
  bind<ErrorReporter>(TOKENS.ErrorReporter, (get) => new LogErrorReporter(get<Logger>(TOKENS.Logger)));
  bind<DependencyMonitor>(
    TOKENS.DependencyMonitor,
    (get) => new StateChangeMonitor(get(TOKENS.ErrorReporter), get(TOKENS.Logger)),
  );
  bind<PingStore>(TOKENS.PingStore, (get) => new MemoryPingStore(get(TOKENS.Clock)));
  bind<PingCache>(TOKENS.SharedPingCache, (get) => new MemoryPingCache(get(TOKENS.Clock)));
  bind<PingCache>(TOKENS.LocalPingCache, (get) => new MemoryPingCache(get(TOKENS.Clock)));
  // One process with an in-process cache needs no cross-instance lease: single-flight suffices.
  bind<RecordLease | null>(TOKENS.RecordLease, () => null);
  bind<ReadinessCheck[]>(TOKENS.ReadinessChecks, () => [
    { name: 'store', required: true, check: async () => {} },
    { name: 'cache', required: false, check: async () => {} },
  ]);
  bind<Readiness>(TOKENS.Readiness, (get) => new Readiness(get(TOKENS.ReadinessChecks), config.readinessTimeoutMs));
  bind<PingService>(
    TOKENS.PingService,
    (get) =>
      new PingService(
        {
          sharedCache: get(TOKENS.SharedPingCache),
          localCache: get(TOKENS.LocalPingCache),
          store: get(TOKENS.PingStore),
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
  bind<PingUseCases>(TOKENS.PingUseCases, (get) => new PingUseCases(get(TOKENS.PingService)));
  return container;
}
