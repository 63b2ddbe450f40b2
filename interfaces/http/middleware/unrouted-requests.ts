import type { Layer, RouterContext } from '@koa/router';
import type { Middleware } from 'koa';
import { exposedHttpError } from '../http-errors.js';

/**
 * The methods some route of this kind of API could implement. Anything else (TRACE, PROPFIND,
 * LOCK, ...) on a path with no route is a method this server implements nowhere: 501.
 */
const STANDARD_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * Answers what the router did not, or must not see: OPTIONS (204 with `Allow`), a known path with a method it has
 * no route for (405 with `Allow`), an unknown method elsewhere (501), any other unknown path (404).
 * Replaces @koa/router's `allowedMethods()`, which answered 501 with no body (turned into a 500
 * by the error handler), sent an empty `Allow` on unknown paths and left 405s unlabelled.
 * These answers are the client's mistake or a probe: never reported.
 */
export function unroutedRequests(): Middleware {
  return async (ctx, next) => {
    // HTTP/1.1 without Host is malformed (RFC 9112 3.2). Node would answer it with an empty 400
    // (its requireHostHeader, turned off in startup/http-server.ts so the answer has our shape).
    if (!ctx.req.headers.host && ctx.req.httpVersion === '1.1') {
      ctx.set('Connection', 'close');
      throw exposedHttpError(400, 'an HTTP/1.1 request needs a Host header');
    }
    await next();
    const routed = ctx as RouterContext;
    if (routed.routeMatched) return;
    const routes = (routed.matched ?? []).filter((layer) => layer.methods.length > 0);
    if (routes.length === 0) {
      if (STANDARD_METHODS.has(ctx.method)) {
        throw exposedHttpError(404, `no route for ${ctx.method} ${ctx.path}`);
      }
      throw exposedHttpError(501, `${ctx.method} is not implemented by this server`);
    }
    // The path is known: label the request with its template (bounded), not `unmatched`.
    routed._matchedRoute = routes[0]!.path;
    ctx.set('Allow', allowHeader(routes));
    if (ctx.method === 'OPTIONS') {
      ctx.status = 204;
      return;
    }
    throw exposedHttpError(405, `${ctx.method} is not allowed on ${ctx.path}`);
  };
}

function allowHeader(routes: readonly Layer[]): string {
  const methods = new Set(['OPTIONS', ...routes.flatMap((layer) => layer.methods)]);
  return [...methods].sort().join(', ');
}
