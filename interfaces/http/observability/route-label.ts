import type { Context } from 'koa';

/** Requests that answered no route (404, 405): one label for all, so garbage cannot multiply series. */
const UNMATCHED_ROUTE = 'unmatched';

/** Orchestrator and Prometheus traffic: frequent, uninteresting, kept out of the request figures. */
const INFRASTRUCTURE_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

/** The route template the router matched (`/pings`), never the raw path. */
export function routeLabel(ctx: Context): string {
  const matched = ctx._matchedRoute;
  return typeof matched === 'string' ? matched : UNMATCHED_ROUTE;
}

export function isInfrastructureRoute(route: string): boolean {
  return INFRASTRUCTURE_ROUTES.has(route);
}
