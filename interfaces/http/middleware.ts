import type Router from '@koa/router';
import type { Middleware } from 'koa';
import type { HttpDependencies } from './http-dependencies.js';
import { requestEnvelope } from './middleware/request-envelope.js';
import { unroutedRequests } from './middleware/unrouted-requests.js';

/** Every middleware of the app, in the order a request meets them; `router` holds every route by now. */
export function middlewares(deps: HttpDependencies, router: Router): Middleware[] {
  return [
    // Request id, Host check, load shedding, the one error handler, Connection: close while
    // draining, the histogram and the access log: one frame around everything (see its steps there).
    requestEnvelope(deps),
    // @koa/router types its middleware with a richer context than Koa's own.
    router.routes() as Middleware,
    // Reached only when no route answered: OPTIONS, 404, 405, 501, in the JSON error shape.
    unroutedRequests(),
  ];
}
