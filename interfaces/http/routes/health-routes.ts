import type Router from '@koa/router';
import type { Readiness } from '../../../application/readiness.js';
import { answerJson } from '../json-answer.js';
import { setResponseHeader } from '../response-header.js';

/** Probes for the orchestrator. Liveness never looks at dependencies: a restart cures none of them. */
export function addHealthRoutes(router: Router, readiness: Readiness): void {
  router.get('/healthz', (ctx) => {
    setResponseHeader(ctx, 'Cache-Control', 'no-store');
    answerJson(ctx, { status: 'ok' });
  });

  router.get('/readyz', async (ctx) => {
    const report = await readiness.report();
    setResponseHeader(ctx, 'Cache-Control', 'no-store');
    ctx.status = report.ready ? 200 : 503;
    answerJson(ctx, { status: report.status, checks: report.checks });
  });
}
