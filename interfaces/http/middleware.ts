import type Router from '@koa/router';
import type { Middleware } from 'koa';
import type { HttpDependencies } from './http-dependencies.js';
import { connectionCloseMiddleware } from './middleware/connection-close.js';
import { errorMiddleware } from './middleware/error-middleware.js';
import { requestIdMiddleware } from './middleware/request-id.js';
import { requestObserverMiddleware } from './middleware/request-observer.js';
import { unroutedRequests } from './middleware/unrouted-requests.js';

/** Every middleware of the app, in the order a request meets them; the router last. */
export function middlewares(deps: HttpDependencies, router: Router): Middleware[] {
  return [
    // Outermost, so even an answer the error handler wrote says `Connection: close` when closing.
    connectionCloseMiddleware(deps.connections ?? { closing: false }),
    // The request id before the observer and the error handler, so both see it.
    requestIdMiddleware(),
    // Outside the error handler, so the histogram and the access log see the status answered.
    requestObserverMiddleware(deps.metrics, deps.logger),
    // The one error handler: every failure below becomes the JSON error shape.
    errorMiddleware(deps.reporter),
    // OPTIONS, 404, 405, 501 and a missing Host, in that shape.
    unroutedRequests(),
    // @koa/router types its middleware with a richer context than Koa's own.
    router.routes() as Middleware,
  ];
}
