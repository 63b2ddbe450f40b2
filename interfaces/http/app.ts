import Koa from 'koa';
import type { Middleware } from 'koa';
import Router from '@koa/router';
import type { PingUseCases } from '../../application/ping-use-cases.js';
import type { Readiness } from '../../application/readiness.js';
import type { ErrorReporter } from '../../domain/error-reporter.port.js';
import { errorMiddleware } from './error-middleware.js';
import { addHealthRoutes } from './routes/health-routes.js';
import { addOpenApiRoutes } from './routes/openapi-routes.js';
import { addPingRoutes } from './routes/ping-routes.js';
import { unroutedRequests } from './unrouted-requests.js';

export interface HttpDependencies {
  readonly pings: PingUseCases;
  readonly readiness: Readiness;
  readonly reporter: ErrorReporter;
  /** Runs before the error handler (request ids, access logs, metrics). */
  readonly outerMiddleware?: readonly Middleware[];
  /** Adds more routes to the one router (metrics). */
  readonly extraRoutes?: ReadonlyArray<(router: Router) => void>;
  /** Set by the drain once the listener has closed. */
  readonly connections?: ConnectionState;
}

export interface ConnectionState {
  /** The listener has closed: every answer closes its connection. */
  closing: boolean;
}

/** Builds the Koa application; binding a port is the entry point's job, so tests use `app.callback()`. */
export function createApp(deps: HttpDependencies): Koa {
  const app = new Koa();
  // app.proxy stays false: nothing here reads client addresses, and with it on every request
  // pays for parsing X-Forwarded-Host (the router reads ctx.host), measured at ~5% of a HIT.
  // Errors are answered and reported by errorMiddleware; Koa's own printer would log them twice.
  app.silent = true;
  const connections = deps.connections ?? { closing: false };
  app.use(async (ctx, next) => {
    try {
      await next();
    } finally {
      // Once the listener has closed, each answer tells its client to close the connection, so it
      // learns before it sends again and reconnects elsewhere (see close-listener.ts). Decided at
      // answer time, so a request that began before the close is covered too. Not before: during
      // SHUTDOWN_DELAY_MS the process still serves, and clients reconnecting at that point would
      // race the listener's close (a connection still queued in the kernel is reset).
      if (connections.closing) ctx.set('Connection', 'close');
    }
  });
  for (const middleware of deps.outerMiddleware ?? []) app.use(middleware);
  app.use(errorMiddleware(deps.reporter));
  // One router for every route: @koa/router matches and composes per router per request, so
  // several routers multiplied that cost on the hot path.
  const router = new Router();
  addHealthRoutes(router, deps.readiness);
  addPingRoutes(router, deps.pings);
  addOpenApiRoutes(router);
  for (const addRoutes of deps.extraRoutes ?? []) addRoutes(router);
  app.use(unroutedRequests());
  app.use(router.routes());
  return app;
}
