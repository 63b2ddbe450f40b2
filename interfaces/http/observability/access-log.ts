import type { Context } from 'koa';
import type { Logger } from '../../../application/logger.port.js';
import { isInfrastructureRoute } from './route-label.js';

/** Paths are echoed from the request line: bounded, so a hostile URL cannot bloat the logs. */
const MAX_LOGGED_PATH = 200;
/**
 * Overload answers come by the thousand exactly when the process can least afford a line each:
 * they are counted (ping_requests_shed_total, ping_store_saturated_total) and alerted on, and
 * logged only at debug.
 */
const OVERLOADED_CODE = 'overloaded';
/** A request slower than this is logged at warn whatever its status. */
const SLOW_REQUEST_MS = 1_000;

/**
 * One line for an answered request, at a level that says how interesting it is:
 * - a 4xx at info, a slow request (>= 1 s) or a 5xx at warn (5xx are also reported to Sentry);
 * - a fast success or a probe at debug (`LOG_LEVEL=debug` shows every request).
 * Why successes are not at info: a line per request is a large share of a cache hit's cost
 * (bench/observability-cost.ts measures it), and in Kubernetes the ingress already keeps an
 * access log of every request. The query string is left out: it is the caller's, and may hold
 * anything.
 */
export function logRequest(logger: Logger, ctx: Context, route: string, durationMs: number): void {
  const level =
    ctx.state.errorCode === OVERLOADED_CODE
      ? 'debug'
      : ctx.status >= 500 || durationMs >= SLOW_REQUEST_MS
        ? 'warn'
        : ctx.status >= 400 && !isInfrastructureRoute(route)
          ? 'info'
          : 'debug';
  // Building the line is most of the cost: skip it when the level is off.
  if (level === 'debug' && logger.isLevelEnabled?.('debug') === false) return;
  const path = ctx.path.length > MAX_LOGGED_PATH ? `${ctx.path.slice(0, MAX_LOGGED_PATH)}...` : ctx.path;
  const line = {
    requestId: ctx.state.requestId as string | undefined,
    method: ctx.method,
    route,
    path,
    status: ctx.status,
    durationMs: Math.round(durationMs * 100) / 100,
  };
  logger[level](line, 'request');
}
