import Koa, { type Middleware } from 'koa';
import Router from '@koa/router';
import type { ErrorReporter } from '../../application/error-reporter.port.js';
import type { MetricsExposition } from '../../application/metrics.port.js';
import { answerError } from './middleware/error-answer.js';
import { assignRequestId } from './middleware/request-id.js';
import { unroutedRequests } from './middleware/unrouted-requests.js';
import { addMetricsRoutes } from './routes/metrics-routes.js';

/** What the metrics listener needs: the exposition, and where a failing scrape is reported. */
export interface MetricsAppDependencies {
  readonly metrics: MetricsExposition;
  readonly reporter: ErrorReporter;
}

/**
 * The app of the metrics listener (METRICS_PORT): `GET /metrics` and nothing else, in the same
 * JSON error shape as the API (404 anywhere else, 405 for another method). It sits on a port of
 * its own so that the Ingress, which routes only the API port, never exposes it, and a
 * NetworkPolicy can admit Prometheus alone. Scrapes are neither timed nor logged: the request
 * histogram and the access log describe the API's traffic.
 */
export function createMetricsApp(deps: MetricsAppDependencies): Koa {
  const app = new Koa();
  app.silent = true;
  const router = new Router();
  addMetricsRoutes(router, deps.metrics);
  const envelope: Middleware = async (ctx, next) => {
    assignRequestId(ctx);
    try {
      await next();
    } catch (error) {
      answerError(ctx, error, deps.reporter);
    }
  };
  app.use(envelope);
  app.use(router.routes() as Middleware);
  app.use(unroutedRequests());
  return app;
}
