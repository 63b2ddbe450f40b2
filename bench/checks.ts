/** The targets `npm run bench` holds the service to (issue "Performance"); exit code 1 if one is missed. */
import { pairedRatio, type HitResult } from './hit-rounds.js';
import type { BenchReport, ScenarioResult } from './report.js';

export const NAMES = {
  baseline: 'baseline: bare Koa JSON',
  sentryOff: 'GET /ping HIT, Sentry off',
  sentryOn: 'GET /ping HIT, Sentry on',
  peer: 'peer: Fastify + ioredis + pg, HIT',
} as const;

type Check = BenchReport['checks'][number];

export function hitChecks(hit: HitResult[]): Check[] {
  const by = (name: string) => hit.find((h) => h.name === name)!;
  const [base, off, on, peer] = [by(NAMES.baseline), by(NAMES.sentryOff), by(NAMES.sentryOn), by(NAMES.peer)];
  // Paired round by round (see pairedRatio): the host's slow spells hit both sides of a pair alike.
  const ratio = pairedRatio(off, base).median;
  const toPeer = pairedRatio(off, peer).median;
  const errors = hit.reduce((n, h) => n + h.summary.errors + h.summary.non2xx, 0);
  return [
    { check: 'HIT req/s >= 0.9 x bare Koa (Sentry off)', pass: ratio >= 0.9, detail: ratio.toFixed(2) },
    {
      check: 'HIT req/s ahead of the Fastify peer (Sentry off)',
      pass: toPeer > 1,
      detail: `${toPeer.toFixed(2)} x the peer`,
    },
    {
      check: 'HIT p99 <= 2 x bare Koa p99',
      pass: off.summary.p99Ms <= 2 * base.summary.p99Ms,
      detail: `${off.summary.p99Ms} ms vs ${base.summary.p99Ms} ms`,
    },
    {
      check: 'production peak RSS under HIT load <= 100 MiB, Sentry off',
      pass: (off.peakRssMiB ?? Infinity) <= 100,
      detail: `${off.peakRssMiB} MiB (peer ${peer.peakRssMiB})`,
    },
    {
      check: 'production peak RSS under HIT load <= 130 MiB, Sentry on',
      pass: (on.peakRssMiB ?? Infinity) <= 130,
      detail: `${on.peakRssMiB} MiB`,
    },
    { check: 'HIT: zero errors or non-2xx', pass: errors === 0, detail: `${errors}` },
  ];
}

export function scenarioChecks(results: ScenarioResult[], bypassBudgetMs: number): Check[] {
  const find = (prefix: string) => results.filter((r) => r.scenario.startsWith(prefix));
  const [bypass] = find('GET /ping, Redis down');
  const [cold] = find('cold-key burst');
  const noFault = [...find('POST /pings'), ...find('GET /pings')];
  const noFaultErrors = noFault.reduce((n, r) => n + r.errors + r.non2xx, 0);
  const embedded = find('embedded');
  const inserted = Number(/^(\d+)/.exec(cold?.note ?? '')?.[1] ?? -1);
  const worstIdle = Math.max(...embedded.map((r) => r.idleRssMiB ?? Infinity));
  const laterPeak = embedded.at(-1)?.peakRssMiB ?? Infinity;
  return [
    { check: 'writes and list: zero errors or non-2xx', pass: noFaultErrors === 0, detail: `${noFaultErrors}` },
    {
      check: `BYPASS p99 <= Redis budget + one query (${bypassBudgetMs} ms)`,
      pass: (bypass?.p99Ms ?? Infinity) <= bypassBudgetMs,
      detail: `${bypass?.p99Ms} ms`,
    },
    {
      check: 'BYPASS: zero non-2xx',
      pass: bypass ? bypass.non2xx + bypass.errors === 0 : false,
      detail: `${bypass ? bypass.non2xx + bypass.errors : 'n/a'}`,
    },
    { check: 'cold-key burst inserts exactly 1 row', pass: inserted === 1, detail: `${inserted}` },
    {
      check: 'embedded idle RSS after the first request <= 250 MiB',
      pass: worstIdle <= 250,
      detail: `${worstIdle} MiB (worst start)`,
    },
    {
      check: 'embedded peak RSS under the write load <= 300 MiB',
      pass: laterPeak <= 300,
      detail: `${laterPeak} MiB (later start)`,
    },
  ];
}
