import type Router from '@koa/router';
import type { MetricsExposition } from '../../../application/metrics.port.js';
import { setResponseHeader } from '../response-header.js';

/** Prometheus scrapes here (text exposition format). */
export function addMetricsRoutes(router: Router, metrics: MetricsExposition): void {
  router.get('/metrics', async (ctx) => {
    const body = await metrics.render();
    setResponseHeader(ctx, 'Cache-Control', 'no-store');
    setResponseHeader(ctx, 'Content-Type', metrics.contentType);
    ctx.body = body;
  });
}
