/**
 * Overload: one instance as the image runs it, given several times what it can serve (writes and
 * pages of 100 from hundreds of connections at once, wrk's closed loop), while /healthz is asked
 * every 200 ms as a liveness probe would. What `npm run bench` reports of it: the offered load, the
 * share refused as overloaded, the admitted answers' 99th percentile by the service's own clock,
 * and the slowest /healthz.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { freePort } from '../harness/free-port.js';
import { histogramQuantile, parsePrometheusText, sampleValue, type PromSample } from '../harness/prometheus-text.js';
import type { BenchProcess } from './processes.js';
import type { BenchReport, ScenarioResult } from './report.js';
import { row } from './scenarios.js';
import { wrk } from './wrk.js';

type Check = BenchReport['checks'][number];

/** Connections of each of the two loads: well past what one instance's pool and event loop serve. */
const CONNECTIONS = 300;

export async function overload(
  start: (env: Record<string, string>) => Promise<BenchProcess>,
  settings: { readonly seconds: number },
): Promise<{ results: ScenarioResult[]; checks: Check[] }> {
  const metricsPort = await freePort();
  const service = await start({ METRICS_PORT: String(metricsPort) });
  const scrape = async () => parsePrometheusText(await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text());
  try {
    const before = await scrape();
    service.resetPeakRss();
    const probes: number[] = [];
    let probing = true;
    const prober = (async () => {
      while (probing) {
        const started = performance.now();
        const ok = await fetch(`${service.url}/healthz`, { signal: AbortSignal.timeout(5_000) }).then(
          (response) => response.ok,
          () => false,
        );
        probes.push(ok ? performance.now() - started : Infinity);
        await delay(200);
      }
    })();
    const load = { connections: CONNECTIONS, seconds: settings.seconds };
    const [writes, pages] = await Promise.all([
      wrk(`${service.url}/pings`, { ...load, script: 'post' }),
      wrk(`${service.url}/pings?limit=100`, load),
    ]);
    probing = false;
    await prober;
    const after = await scrape();
    const worstProbeMs = Math.round(Math.max(...probes));
    const figures = summary(after, before);
    const note =
      `offered by ${2 * CONNECTIONS} connections; ${Math.round(figures.refusedShare * 100)} in 100 answers refused ` +
      `(503 overloaded); admitted p99 at most ${figures.admittedP99} s by the service's histogram; ` +
      `/healthz worst ${worstProbeMs} ms; ${figures.defects} answers 500`;
    return {
      results: [
        row('overload: POST /pings and GET /pings?limit=100 at once', '/pings', merged(writes, pages), {
          peakRssMiB: service.peakRssMiB(),
          note,
        }),
      ],
      checks: [
        { check: 'overload: /healthz within 1 s throughout', pass: worstProbeMs < 1_000, detail: `${worstProbeMs} ms` },
        {
          check: 'overload: admitted p99 within the store budgets (3 s)',
          pass: figures.admittedP99 <= 2.5,
          detail: `${figures.admittedP99} s`,
        },
        { check: 'overload: no 500', pass: figures.defects === 0, detail: `${figures.defects}` },
      ],
    };
  } finally {
    await service.stop();
  }
}

/** Two loads as one row: answers per second added up, the slower of the two latencies. */
function merged(a: Awaited<ReturnType<typeof wrk>>, b: Awaited<ReturnType<typeof wrk>>) {
  return {
    requestsPerSec: Math.round(a.requestsPerSec + b.requestsPerSec),
    requests: a.requests + b.requests,
    p50Ms: Math.max(a.p50Ms, b.p50Ms),
    p99Ms: Math.max(a.p99Ms, b.p99Ms),
    errors: a.errors + b.errors,
    non2xx: a.non2xx + b.non2xx,
    loadGeneratorCpuShare: Math.max(a.loadGeneratorCpuShare, b.loadGeneratorCpuShare),
  };
}

/** What the service counted between the two scrapes. */
function summary(after: PromSample[], before: PromSample[]) {
  const count = (status: string) =>
    ['GET', 'POST'].reduce(
      (sum, method) =>
        sum +
        sampleValue(after, 'http_request_duration_seconds_count', { method, route: '/pings', status_code: status }) -
        sampleValue(before, 'http_request_duration_seconds_count', { method, route: '/pings', status_code: status }),
      0,
    );
  const [created, listed, refused, defects] = [count('201'), count('200'), count('503'), count('500')];
  const answered = created + listed + refused + defects;
  return {
    refusedShare: answered === 0 ? 0 : refused / answered,
    admittedP99: Math.max(histogramQuantile(after, before, 0.99, '201'), histogramQuantile(after, before, 0.99, '200')),
    defects,
  };
}
