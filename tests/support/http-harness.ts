import { inject, type InjectOptions } from 'light-my-request';
import type { ReadinessCheck } from '../../application/readiness.js';
import { resolve } from '../../infrastructure/composition/tokens.js';
import { SystemClock } from '../../infrastructure/clock/system-clock.js';
import { loadConfig } from '../../infrastructure/config/config.js';
import { Lifecycle } from '../../infrastructure/composition/lifecycle.js';
import { buildContainer, type ContainerOverrides } from '../../infrastructure/composition/container.js';
import { MemoryPingStore } from '../../infrastructure/memory/memory-ping-store.js';
import { createApp, type HttpDependencies } from '../../interfaces/http/app.js';
import { createMetricsApp } from '../../interfaces/http/metrics-app.js';
import { httpDependencies } from '../../interfaces/startup/http-server.js';
import { silentLogger } from './test-doubles.js';

export interface HarnessOptions {
  /**
   * 'memory' (default): an in-memory store and in-process readiness checks in place of the
   * database the configuration selects (the embedded PGlite when POSTGRES_URI is unset), so unit
   * tests touch no disk. 'configured': the backends `env` selects, as `npm start` would; call
   * `start()` (migrations, connections) first and `close()` after.
   */
  readonly backends?: 'memory' | 'configured';
  /** HTTP dependencies to use instead of the container's (a recording tracer, a failing use case). */
  readonly http?: Partial<HttpDependencies>;
}

/**
 * The app built by the real composition root, driven in-process through `app.callback()`: no
 * port is bound.
 */
export function makeHttpHarness(
  overrides: ContainerOverrides = {},
  env: NodeJS.ProcessEnv = {},
  options: HarnessOptions = {},
) {
  const backends = options.backends === 'configured' ? {} : memoryBackends(overrides);
  const container = buildContainer(loadConfig(env), { Logger: silentLogger, ...backends, ...overrides });
  const lifecycle = resolve(container, 'Lifecycle');
  const deps = httpDependencies(container, options.http);
  const app = createApp(deps);
  const metricsApp = createMetricsApp(deps);
  const requestTo = (handler: ReturnType<typeof app.callback>) => async (options: InjectOptions) => {
    const response = await inject(handler, options);
    const isJson = String(response.headers['content-type'] ?? '').includes('application/json');
    return { status: response.statusCode, headers: response.headers, body: isJson ? response.json() : response.body };
  };
  const request = requestTo(app.callback());
  /** A request to the metrics listener's app (METRICS_PORT). */
  const metricsRequest = requestTo(metricsApp.callback());
  return {
    container,
    deps,
    app,
    metricsApp,
    request,
    metricsRequest,
    /** The exposition text, as Prometheus scrapes it from the metrics listener. */
    scrape: async () => String((await metricsRequest({ method: 'GET', url: '/metrics' })).body),
    start: () => lifecycle.startAll(),
    close: async () => {
      const failures = await lifecycle.closeAll();
      if (failures.length > 0) throw failures[0]!.error;
    },
  };
}

/**
 * An in-memory store adapter (wrapped in the real breaker and metrics), and readiness checks
 * that ask it, unless the test brings its own.
 */
function memoryBackends(overrides: ContainerOverrides): ContainerOverrides {
  const clock = overrides.Clock ?? new SystemClock();
  const store = overrides.RawPingStore ?? new MemoryPingStore(clock);
  const checks: ReadinessCheck[] = [
    { name: 'store', check: async () => void (await store.list({ limit: 1 })) },
    { name: 'cache', check: async () => {} },
  ];
  // Nothing to open or close: the configured database is never made.
  return { RawPingStore: store, ReadinessChecks: checks, Lifecycle: new Lifecycle([]) };
}
