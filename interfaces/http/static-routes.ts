import type { Layer, RouterContext } from '@koa/router';
import type KoaRouter from '@koa/router';
import type { Middleware } from 'koa';

interface StaticRoute {
  readonly layer: Layer;
  readonly handle: Middleware;
  /** What @koa/router puts in `ctx.matched` for the path; a request that is passed on gets a copy. */
  readonly matched: readonly Layer[];
}

/** Characters with a meaning in an @koa/router path (parameters, wildcards, optional groups). */
const PATTERN_SYNTAX = /[:*?{}()[\]\\+]/;
const NO_CAPTURES: readonly string[] = Object.freeze([]);

/**
 * The router's routes as one middleware, in which the routes whose path is plain text (all of
 * ours: `/ping`, `/pings`, `/healthz`, ...) are found by one lookup on the method and the exact
 * path, and every other request goes through @koa/router as before: another spelling of a path
 * (`/PING`, `/ping/`, percent-encoded), a route with parameters, an unknown path or method. The
 * router stays the one place routes are declared; the table is read from it once, when this is
 * called, so every route must be declared by then.
 *
 * Why: on every request @koa/router tests each route's regular expression, builds its match
 * result, copies and reverses the matched layers and composes a middleware chain: about 3 KiB of
 * the 18 KiB a cache hit allocated (the bench's heap KiB/req, docs/performance.md).
 *
 * What a handler served from the table finds on the context: the route template in
 * `_matchedRoute` (the metrics label), as the router sets it. The rest of what the router sets
 * (`matched`, `params`, `captures`, `routerPath`, `router`, ...) describes a match that a plain
 * path does not need: no handler of ours reads it, so it is set only if the handler passes the
 * request on, where what comes after (a router mounted later, the unrouted answers' 405 and
 * `Allow`) reads it; that request then goes on exactly as from the router. Why not always: those
 * eight fields, a copied array and a `params` object on every context cost about 5 % of the
 * cache hits per second (measured interleaved, docs/performance.md). A handler of a plain route
 * that wants `ctx.params` will find none: a plain path has no parameters.
 */
export function routesWithStaticTable(router: KoaRouter): Middleware {
  const table = staticRouteTable(router);
  // @koa/router types its middleware with a richer context than Koa's own.
  const throughRouter = router.routes() as Middleware;
  const routes: Middleware & { router?: KoaRouter } = (ctx, next) => {
    const route = table.get(ctx.method)?.get(ctx.path);
    if (route === undefined) return throughRouter(ctx, next);
    const routed = ctx as unknown as RouterContext;
    routed._matchedRoute = route.layer.path as string;
    return route.handle(ctx, () => {
      giveRouterContext(routed, router, route);
      return next();
    });
  };
  // As on the router's own middleware: what finds the app's router through its middleware still does.
  routes.router = router;
  return routes;
}

/** What @koa/router sets on a context it routed to `route`, for what comes after a handler. */
function giveRouterContext(routed: RouterContext, router: KoaRouter, route: StaticRoute): void {
  routed.router = router;
  routed.routeMatched = true;
  // A request's own copy: a router mounted after this one appends its matches to it.
  routed.matched = route.matched.slice();
  routed.captures = NO_CAPTURES as string[];
  routed.params = {};
  routed.request.params = routed.params;
  routed.routerPath = route.layer.path as string;
  routed.routerName = route.layer.name;
  if (route.layer.name) routed._matchedRouteName = route.layer.name;
}

/**
 * method → exact path → route. A route is in the table only where the router itself, asked at
 * start, matches exactly that one route and nothing else for the method and path: then running
 * its handler is all the router would do. Left to the router: a path shared with router-level
 * middleware, another route or a route with parameters that also matches it, and a route with
 * several middleware; and every route when the router answers only some hosts. A path with
 * pattern syntax is skipped before asking: `/:id` would match its own text and be served as if
 * it were literal.
 */
export function staticRouteTable(router: KoaRouter): Map<string, Map<string, StaticRoute>> {
  const table = new Map<string, Map<string, StaticRoute>>();
  if (router.host !== undefined) return table;
  for (const layer of router.stack) {
    const { path } = layer;
    if (typeof path !== 'string' || PATTERN_SYNTAX.test(path) || layer.stack.length !== 1) continue;
    for (const method of layer.methods) {
      const match = router.match(path, method);
      if (match.pathAndMethod.length !== 1 || match.pathAndMethod[0] !== layer) continue;
      const byPath = table.get(method) ?? table.set(method, new Map()).get(method)!;
      byPath.set(path, { layer, handle: layer.stack[0] as Middleware, matched: match.path });
    }
  }
  return table;
}
