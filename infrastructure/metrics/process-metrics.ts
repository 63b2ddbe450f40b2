import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * prom-client's three totals are gauges named like counters, which `promtool check metrics`
 * rejects ("non-counter metrics should not have _total suffix"). Nothing is lost by dropping them:
 * `nodejs_active_handles`, `nodejs_active_requests` and `nodejs_active_resources` (by `type`),
 * collected from the same lists, sum to the same numbers.
 */
const MISNAMED_GAUGES = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

let processRegistry: Registry | undefined;

/**
 * prom-client's default metrics (CPU, memory, event loop lag, GC, handles) describe the process,
 * not one container, so they live in one registry per process. Tests build many containers in
 * one process; each would otherwise start its own event-loop monitor and GC observer.
 */
export function processMetricsRegistry(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
    for (const name of MISNAMED_GAUGES) processRegistry.removeSingleMetric(name);
  }
  return processRegistry;
}
