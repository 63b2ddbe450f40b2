import type { Context } from 'koa';
import type { RequestMetrics } from '../../../application/metrics.port.js';
import { isInfrastructureRoute } from './route-label.js';

/**
 * Feeds the request duration histogram with one answered request; probes are left
 * out. Called through observeRequest once the request envelope has answered any error, so it
 * sees the status actually answered, errors included.
 */
export function observeRequestDuration(metrics: RequestMetrics, ctx: Context, route: string, durationMs: number): void {
  if (!isInfrastructureRoute(route)) metrics.observeRequest(ctx.method, route, ctx.status, durationMs / 1000);
}
