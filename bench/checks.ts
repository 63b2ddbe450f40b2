/**
 * The targets `npm run bench` holds the service to; the run's exit code is 1 if one is missed.
 * Ratios, not absolute req/s: the host's speed varies, and the comparison within a run does not
 * depend on it. Each check's name states its target, so a result file says what it was held to.
 */
import { pairedRatio, type HitResult } from './hit-rounds.js';
import type { BenchReport, ScenarioResult } from './report.js';
import type { XCacheTally } from './wrk.js';

export const NAMES = {
  baseline: 'baseline: bare Koa JSON',
  sentryOff: 'GET /ping HIT, Sentry off',
  sentryOn: 'GET /ping HIT, Sentry on',
  peer: 'peer: Fastify + ioredis + pg, HIT',
} as const;

const TARGETS = {
  /** Cache-hit req/s of the service (Sentry off) over bare Koa's, the median of the rounds' pairs. */
  hitToBareKoa: 0.9,
  /** The same over the Fastify peer's. */
  hitToPeer: 0.95,
  hitP99ToBareKoaP99: 2,
  /** Peak RSS under the cache-hit load, Sentry off, over the peer's under the same load. */
  peakRssToPeer: 1.05,
  peakRssMiBSentryOn: 130,
  embeddedIdleRssMiB: 250,
  embeddedPeakRssMiB: 300,
  /** wrk's share of its core in any round: above it, the load generator, not the server, may set the pace. */
  loadGeneratorCpuShare: 0.9,
} as const;

type Check = BenchReport['checks'][number];

/** Answers whose X-Cache is not `expected`, as `MISS=2, (none)=1`; empty when there are none. */
function otherThan(expected: string, tally: XCacheTally | undefined): string {
  if (!tally) return 'no X-Cache tally';
  return Object.entries(tally)
    .filter(([value, count]) => value !== expected && count > 0)
    .map(([value, count]) => `${value}=${count}`)
    .join(', ');
}

/**
 * Bare Koa is left out of the X-Cache check: it answers a constant and has no cache to miss (its
 * rounds still run the tallying script, so wrk does the same work for every target).
 */
function xCacheCheck(cached: HitResult[]): Check {
  const notHit = ({ summary }: HitResult) => {
    const tallied = Object.values(summary.xCache ?? {}).reduce((a, b) => a + b, 0);
    const others = otherThan('HIT', summary.xCache);
    return tallied === summary.requests ? others : `tallied ${tallied} of ${summary.requests} answers; ${others}`;
  };
  const misses = cached.map((h) => [h.name, notHit(h)] as const).filter(([, m]) => m);
  return {
    check: 'HIT: every answer counted as a hit has X-Cache: HIT (service, Sentry off and on; peer)',
    pass: misses.length === 0,
    detail: misses.length === 0 ? 'all HIT' : misses.map(([name, m]) => `${name}: ${m}`).join('; '),
  };
}

export function hitChecks(hit: HitResult[]): Check[] {
  const by = (name: string) => hit.find((h) => h.name === name)!;
  const [base, off, on, peer] = [by(NAMES.baseline), by(NAMES.sentryOff), by(NAMES.sentryOn), by(NAMES.peer)];
  // Paired round by round (see pairedRatio): the host's slow spells hit both sides of a pair alike.
  const ratio = pairedRatio(off, base).median;
  const toPeer = pairedRatio(off, peer).median;
  const rssToPeer = (off.peakRssMiB ?? Infinity) / (peer.peakRssMiB ?? Number.NaN);
  const errors = hit.reduce((n, h) => n + h.summary.errors + h.summary.non2xx, 0);
  const wrkShare = Math.max(...hit.map((h) => h.summary.loadGeneratorCpuShare));
  return [
    {
      check: `HIT req/s >= ${TARGETS.hitToBareKoa} x bare Koa (Sentry off)`,
      pass: ratio >= TARGETS.hitToBareKoa,
      detail: ratio.toFixed(2),
    },
    {
      check: `HIT req/s >= ${TARGETS.hitToPeer} x the Fastify peer (Sentry off)`,
      pass: toPeer >= TARGETS.hitToPeer,
      detail: `${toPeer.toFixed(2)} x the peer`,
    },
    {
      check: `HIT p99 <= ${TARGETS.hitP99ToBareKoaP99} x bare Koa p99`,
      pass: off.summary.p99Ms <= TARGETS.hitP99ToBareKoaP99 * base.summary.p99Ms,
      detail: `${off.summary.p99Ms} ms vs ${base.summary.p99Ms} ms`,
    },
    {
      check: `production peak RSS under HIT load <= ${TARGETS.peakRssToPeer} x the Fastify peer's, Sentry off`,
      pass: rssToPeer <= TARGETS.peakRssToPeer,
      detail: `${rssToPeer.toFixed(2)} x (${off.peakRssMiB} MiB vs the peer's ${peer.peakRssMiB} MiB)`,
    },
    {
      check: `production peak RSS under HIT load <= ${TARGETS.peakRssMiBSentryOn} MiB, Sentry on`,
      pass: (on.peakRssMiB ?? Infinity) <= TARGETS.peakRssMiBSentryOn,
      detail: `${on.peakRssMiB} MiB`,
    },
    { check: 'HIT: zero errors or non-2xx', pass: errors === 0, detail: `${errors}` },
    xCacheCheck([off, on, peer]),
    {
      check: `HIT: wrk below ${TARGETS.loadGeneratorCpuShare} of its core in every round (the server set the pace)`,
      pass: wrkShare < TARGETS.loadGeneratorCpuShare,
      detail: `at most ${wrkShare.toFixed(2)}`,
    },
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
  const notBypass = otherThan('BYPASS', bypass?.xCache);
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
    {
      check: 'BYPASS: every answer has X-Cache: BYPASS',
      pass: notBypass === '',
      detail: notBypass === '' ? 'all BYPASS' : notBypass,
    },
    { check: 'cold-key burst inserts exactly 1 row', pass: inserted === 1, detail: `${inserted}` },
    {
      check: `embedded idle RSS after the first request <= ${TARGETS.embeddedIdleRssMiB} MiB`,
      pass: worstIdle <= TARGETS.embeddedIdleRssMiB,
      detail: `${worstIdle} MiB (worst start)`,
    },
    {
      check: `embedded peak RSS under the write load <= ${TARGETS.embeddedPeakRssMiB} MiB`,
      pass: laterPeak <= TARGETS.embeddedPeakRssMiB,
      detail: `${laterPeak} MiB (later start)`,
    },
  ];
}
