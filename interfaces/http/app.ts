import Koa from 'koa';
import Router from '@koa/router';
import type { HttpDependencies } from './http-dependencies.js';
import { middlewares } from './middleware.js';
import { addHealthRoutes } from './routes/health-routes.js';
import { addOpenApiRoutes } from './routes/openapi-routes.js';
import { addPingRoutes } from './routes/ping-routes.js';

export type { HttpDependencies } from './http-dependencies.js';

/**
 * Builds the Koa application of the API port; binding a port is start-up's job, so tests use
 * `app.callback()`. `/metrics` is not here: it has a listener of its own (metrics-app.ts).
 */
export function createApp(deps: HttpDependencies): Koa {
  const app = new Koa();
  // app.proxy stays false: X-Forwarded-* headers are the client's to forge; where a client
  // address matters it is read from the socket (or from a trusted proxy hop, explicitly).
  // Errors are answered and reported by the request envelope; Koa's own printer would log them twice.
  app.silent = true;
  // One router for every route, so the unrouted answers (405 with Allow) see every route of a path.
  const router = new Router();
  addHealthRoutes(router, deps.readiness);
  addPingRoutes(router, deps.pings, deps.writes);
  addOpenApiRoutes(router);
  for (const middleware of middlewares(deps, router)) app.use(middleware);
  return app;
}
