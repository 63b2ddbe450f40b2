import type { Middleware } from 'koa';
import type { Logger } from '../../../application/logger.port.js';
import type { RequestMetrics } from '../../../application/metrics.port.js';
import { logRequest } from '../observability/access-log.js';
import { observeRequestDuration } from '../observability/request-metrics.js';
import { routeLabel } from '../observability/route-label.js';

/**
 * Times each request once and labels its route once, then feeds the histogram and the access
 * log: on the cache-hit path, doing that per consumer was measurable work done twice. It wraps
 * the error handler, so both see the status actually answered.
 */
export function requestObserverMiddleware(metrics: RequestMetrics, logger: Logger): Middleware {
  return async (ctx, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const durationMs = performance.now() - started;
      const route = routeLabel(ctx);
      observeRequestDuration(metrics, ctx, route, durationMs);
      logRequest(logger, ctx, route, durationMs);
    }
  };
}
