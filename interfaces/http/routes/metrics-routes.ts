import type Router from '@koa/router';
import type { MetricsExposition } from '../../../application/metrics.port.js';

/** Prometheus scrapes here (text exposition format). */
export function addMetricsRoutes(router: Router, metrics: MetricsExposition): void {
  router.get('/metrics', async (ctx) => {
    const body = await metrics.render();
    ctx.set('Cache-Control', 'no-store');
    ctx.type = metrics.contentType;
    ctx.body = body;
  });
}
