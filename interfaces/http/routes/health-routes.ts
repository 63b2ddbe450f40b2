import type Router from '@koa/router';
import type { Readiness } from '../../../application/readiness.js';

/** Probes for the orchestrator. Liveness never looks at dependencies: a restart cures none of them. */
export function addHealthRoutes(router: Router, readiness: Readiness): void {
  router.get('/healthz', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { status: 'ok' };
  });

  router.get('/readyz', async (ctx) => {
    const report = await readiness.report();
    ctx.set('Cache-Control', 'no-store');
    ctx.status = report.ready ? 200 : 503;
    ctx.body = { status: report.status, checks: report.checks };
  });
}
