import type { Layer, RouterContext } from '@koa/router';
import type { Middleware } from 'koa';
import { exposedHttpError } from '../http-errors.js';

/**
 * The methods some route of this kind of API could implement. Anything else (TRACE, PROPFIND,
 * LOCK, ...) on a path with no route is a method this server implements nowhere: 501.
 */
const STANDARD_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * Answers what the router did not: OPTIONS (204 with `Allow`), a known path with a method it has
 * no route for (405 with `Allow`), an unknown method elsewhere (501), any other unknown path (404).
 * It sits after the router, which calls it only when no route answered, so a routed request
 * never pays for it. Replaces @koa/router's `allowedMethods()`, which answered 501 with no body
 * (turned into a 500 by the error handler), sent an empty `Allow` on unknown paths and left 405s
 * unlabelled. These answers are the client's mistake or a probe: never reported.
 */
export function unroutedRequests(): Middleware {
  return (ctx) => {
    const routed = ctx as RouterContext;
    const routes = (routed.matched ?? []).filter((layer) => layer.methods.length > 0);
    if (routes.length === 0) {
      if (STANDARD_METHODS.has(ctx.method)) {
        throw exposedHttpError(404, `no route for ${ctx.method} ${ctx.path}`);
      }
      throw exposedHttpError(501, `${ctx.method} is not implemented by this server`);
    }
    // The path is known: label the request with its template (bounded), not `unmatched`.
    routed.routerPath = String(routes[0]!.path);
    ctx.set('Allow', allowHeader(routes));
    if (ctx.method !== 'OPTIONS') throw exposedHttpError(405, `${ctx.method} is not allowed on ${ctx.path}`);
    ctx.status = 204;
  };
}

function allowHeader(routes: readonly Layer[]): string {
  const methods = new Set(['OPTIONS', ...routes.flatMap((layer) => layer.methods)]);
  return [...methods].sort().join(', ');
}
