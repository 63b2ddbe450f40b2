import Koa from 'koa';
import type { Middleware } from 'koa';
import type Router from '@koa/router';
import type { PingUseCases } from '../../application/ping-use-cases.js';
import type { Readiness } from '../../application/readiness.js';
import type { ErrorReporter } from '../../domain/error-reporter.port.js';
import { errorMiddleware } from './error-middleware.js';
import { healthRoutes } from './routes/health-routes.js';
import { pingRoutes } from './routes/ping-routes.js';

export interface HttpDependencies {
  readonly pings: PingUseCases;
  readonly readiness: Readiness;
  readonly reporter: ErrorReporter;
  /** Runs before the error handler (request ids, access logs, metrics). */
  readonly outerMiddleware?: readonly Middleware[];
  /** Extra routers (metrics). */
  readonly extraRouters?: readonly Router[];
}

/** Builds the Koa application; binding a port is the entry point's job, so tests use `app.callback()`. */
export function createApp(deps: HttpDependencies): Koa {
  const app = new Koa();
  app.proxy = true;
  // Errors are answered and reported by errorMiddleware; Koa's own printer would log them twice.
  app.silent = true;
  app.use(async (ctx, next) => {
    // While draining, each answer closes its keep-alive socket so the client reconnects elsewhere.
    if (deps.readiness.isDraining) ctx.set('Connection', 'close');
    await next();
  });
  for (const middleware of deps.outerMiddleware ?? []) app.use(middleware);
  app.use(errorMiddleware(deps.reporter));
  for (const router of [healthRoutes(deps.readiness), pingRoutes(deps.pings), ...(deps.extraRouters ?? [])]) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  return app;
}
