import type { Middleware } from 'koa';
import type { Logger } from '../../../application/logger.port.js';
import { isInfrastructureRoute, routeLabel } from './route-label.js';

/** Paths are echoed from the request line: bounded, so a hostile URL cannot bloat the logs. */
const MAX_LOGGED_PATH = 200;

/**
 * One line per answered request, at info; probes and scrapes at debug, so they do not drown the
 * rest. The query string is left out: it is the caller's, and may hold anything.
 */
export function accessLogMiddleware(logger: Logger): Middleware {
  return async (ctx, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const route = routeLabel(ctx);
      const path = ctx.path.length > MAX_LOGGED_PATH ? `${ctx.path.slice(0, MAX_LOGGED_PATH)}...` : ctx.path;
      const line = {
        requestId: ctx.state.requestId as string | undefined,
        method: ctx.method,
        route,
        path,
        status: ctx.status,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
      };
      if (isInfrastructureRoute(route)) logger.debug(line, 'request');
      else logger.info(line, 'request');
    }
  };
}
