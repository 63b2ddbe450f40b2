import Router from '@koa/router';
import type { MetricsExposition } from '../../../application/metrics.port.js';

/** Prometheus scrapes here (text exposition format). */
export function metricsRoutes(metrics: MetricsExposition): Router {
  const router = new Router();
  router.get('/metrics', async (ctx) => {
    const body = await metrics.render();
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Content-Type', metrics.contentType);
    ctx.body = body;
  });
  return router;
}
