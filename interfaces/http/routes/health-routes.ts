import type Router from '@koa/router';
import type { Readiness } from '../../../application/readiness.js';

const LIVENESS = '/healthz';
const READINESS = '/readyz';

/**
 * The orchestrator's probes: never shed (admission.ts), since a liveness probe that times out gets
 * a healthy pod killed; and kept out of the request figures (route-label.ts).
 */
export const PROBE_PATHS: ReadonlySet<string> = new Set([LIVENESS, READINESS]);

/** Probes for the orchestrator. Liveness never looks at dependencies: a restart cures none of them. */
export function addHealthRoutes(router: Router, readiness: Readiness): void {
  router.get(LIVENESS, (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { status: 'ok' };
  });

  router.get(READINESS, async (ctx) => {
    const report = await readiness.report();
    ctx.set('Cache-Control', 'no-store');
    ctx.status = report.ready ? 200 : 503;
    ctx.body = { status: report.status, checks: report.checks };
  });
}
