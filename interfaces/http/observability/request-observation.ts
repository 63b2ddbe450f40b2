import type { Context } from 'koa';
import type { Logger } from '../../../application/logger.port.js';
import type { RequestMetrics } from '../../../application/metrics.port.js';
import { logRequest } from './access-log.js';
import { observeRequestDuration } from './request-metrics.js';
import { routeLabel } from './route-label.js';

/**
 * Labels an answered request's route once, then feeds the histogram and the access log with it:
 * on the cache-hit path, labelling per consumer was measurable work done twice. Called once the
 * status is final, errors included.
 */
export function observeRequest(ctx: Context, durationMs: number, metrics: RequestMetrics, logger: Logger): void {
  const route = routeLabel(ctx);
  observeRequestDuration(metrics, ctx, route, durationMs);
  logRequest(logger, ctx, route, durationMs);
}
