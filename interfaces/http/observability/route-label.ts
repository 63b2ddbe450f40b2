import type { RouterContext } from '@koa/router';
import type { Context } from 'koa';
import { PROBE_PATHS } from '../routes/health-routes.js';

/** Requests that answered no route (404, 405): one label for all, so garbage cannot multiply series. */
const UNMATCHED_ROUTE = 'unmatched';

/**
 * The route template the router matched (`/pings`), never the raw path: @koa/router's documented
 * `ctx.routerPath`, which the unrouted answers also set for a known path (405).
 */
export function routeLabel(ctx: Context): string {
  return matchedRoute(ctx) ?? UNMATCHED_ROUTE;
}

/** The route template the router matched, or null. */
export function matchedRoute(ctx: Context): string | null {
  const matched = (ctx as RouterContext).routerPath;
  return typeof matched === 'string' ? matched : null;
}

/**
 * The probes: frequent, uninteresting, kept out of the request figures. (Prometheus scrapes the
 * metrics listener, which neither times nor logs; a scrape that still reaches the API port is a
 * 404 worth seeing.)
 */
export function isInfrastructureRoute(route: string): boolean {
  return PROBE_PATHS.has(route);
}
