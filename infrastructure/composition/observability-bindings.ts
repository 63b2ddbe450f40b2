import { SystemClock } from '../clock/system-clock.js';
import type { Config } from '../config/config.js';
import { createLogger } from '../logging/logger.js';
import { PromMetrics } from '../metrics/prom-metrics.js';
import { LogErrorReporter } from '../monitoring/log-error-reporter.js';
import { StateChangeMonitor } from '../monitoring/state-change-monitor.js';
import { sentryReporter } from '../sentry/sentry-runtime.js';
import { activeTracing } from '../tracing/tracing-runtime.js';
import type { Bind } from './binding.js';

/** Logs, metrics, traces, error reports, the dependency monitor and the clock. */
export function bindObservability(bind: Bind, config: Config): void {
  // Tracing when the start-up sequence started it (startTracing); starts nothing.
  bind('Tracing', () => (config.tracing ? activeTracing() : null));
  // With tracing on, each line carries the trace and span it was written in.
  bind('Logger', (get) => createLogger(config, undefined, get('Tracing')?.logFields));
  bind('Metrics', () => new PromMetrics());
  bind('Clock', () => new SystemClock());
  // Sentry when the start-up sequence started its SDK (startSentry), else the logs. Starts nothing.
  bind('ErrorReporter', (get) => {
    const logger = get('Logger');
    const reporter = config.sentry.dsn ? sentryReporter(logger) : null;
    if (config.sentry.dsn && !reporter) logger.warn('SENTRY_DSN is set but the Sentry SDK was not started');
    return reporter ?? new LogErrorReporter(logger);
  });
  bind('DependencyMonitor', (get) => {
    const monitor = new StateChangeMonitor(get('ErrorReporter'), get('Logger'));
    const metrics = get('Metrics');
    monitor.onChange((dependency, state) => metrics.setDependencyUp(dependency, state === 'up'));
    return monitor;
  });
}
