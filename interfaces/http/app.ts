import Koa from 'koa';
import { Router } from './http-modules.js';
import type { HttpDependencies } from './http-dependencies.js';
import { middlewares } from './middleware.js';
import { addHealthRoutes } from './routes/health-routes.js';
import { addMetricsRoutes } from './routes/metrics-routes.js';
import { addOpenApiRoutes } from './routes/openapi-routes.js';
import { addPingRoutes } from './routes/ping-routes.js';

export type { HttpDependencies } from './http-dependencies.js';

/** Builds the Koa application; binding a port is start-up's job, so tests use `app.callback()`. */
export function createApp(deps: HttpDependencies): Koa {
  const app = new Koa();
  // app.proxy stays false: nothing here reads client addresses, and with it on every request
  // pays for parsing X-Forwarded-Host (the router reads ctx.host), measured at ~5% of a HIT.
  // Errors are answered and reported by the request envelope; Koa's own printer would log them twice.
  app.silent = true;
  // One router for every route: @koa/router matches and composes per router per request, so
  // several routers multiplied that cost on the hot path.
  const router = new Router();
  addHealthRoutes(router, deps.readiness);
  addPingRoutes(router, deps.pings);
  addOpenApiRoutes(router);
  addMetricsRoutes(router, deps.metrics);
  for (const middleware of middlewares(deps, router)) app.use(middleware);
  return app;
}
