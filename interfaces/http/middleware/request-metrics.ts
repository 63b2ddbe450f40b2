import type { Middleware } from 'koa';
import type { RequestMetrics } from '../../../application/metrics.port.js';
import { isInfrastructureRoute, routeLabel } from './route-label.js';

/**
 * Feeds the request duration histogram. It sits outside the error handler, so it sees the
 * status actually answered, errors included; probes and /metrics are left out.
 */
export function requestMetricsMiddleware(metrics: RequestMetrics): Middleware {
  return async (ctx, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const route = routeLabel(ctx);
      if (!isInfrastructureRoute(route)) {
        metrics.observeRequest(ctx.method, route, ctx.status, (performance.now() - started) / 1000);
      }
    }
  };
}
