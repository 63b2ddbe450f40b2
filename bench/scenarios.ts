/**
 * The scenarios of `npm run bench` besides the HIT comparison: the write path and the list on a
 * running service, GET /ping with Redis killed (BYPASS), a cold-key burst, and the embedded
 * default (no servers) as `npm start` runs it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FaultProxy } from '../harness/fault-proxy.js';
import { freePort } from '../harness/free-port.js';
import { RedisServerProcess } from '../harness/redis-server-process.js';
import { BenchProcess, root } from './processes.js';
import type { ScenarioResult } from './report.js';
import { wrk, type LoadResult } from './wrk.js';

export interface LoadSettings {
  readonly seconds: number;
  readonly connections: number;
}

/** What a row reports of a load: wrk's, or the cold-key burst's own (no wrk, so no wrk CPU share). */
type Load = Omit<LoadResult, 'loadGeneratorCpuShare'> & Partial<Pick<LoadResult, 'loadGeneratorCpuShare'>>;

export function row(scenario: string, target: string, load: Load, extra: Partial<ScenarioResult>): ScenarioResult {
  const { requestsPerSec, p50Ms, p99Ms, errors, non2xx, xCache, loadGeneratorCpuShare } = load;
  return {
    scenario,
    target,
    requestsPerSec,
    p50Ms,
    p99Ms,
    errors,
    non2xx,
    ...(xCache ? { xCache } : {}),
    ...(loadGeneratorCpuShare === undefined ? {} : { loadGeneratorCpuShare }),
    peakRssMiB: null,
    ratioToBaseline: null,
    ...extra,
  };
}

/** POST /pings then GET /pings?limit=20 on a running service; rows counted by `countRows`. */
export async function writeAndList(
  service: BenchProcess,
  settings: LoadSettings,
  countRows: () => Promise<number>,
): Promise<ScenarioResult[]> {
  service.resetPeakRss();
  const before = await countRows();
  const writes = await wrk(`${service.url}/pings`, { ...settings, script: 'post' });
  const committed = (await countRows()) - before;
  const writePeak = service.peakRssMiB();
  service.resetPeakRss();
  const list = await wrk(`${service.url}/pings?limit=20`, settings);
  return [
    row('POST /pings (write path)', '/pings', writes, { peakRssMiB: writePeak, note: `${committed} rows committed` }),
    row('GET /pings?limit=20', '/pings?limit=20', list, { peakRssMiB: service.peakRssMiB() }),
  ];
}

/** GET /ping against a private redis-server that is killed first: every answer must still be a 200 BYPASS. */
export async function redisDown(
  start: (redisUri: string) => Promise<BenchProcess>,
  settings: LoadSettings,
): Promise<ScenarioResult> {
  const redis = await RedisServerProcess.start();
  const proxy = await FaultProxy.start({ host: '127.0.0.1', port: redis.port });
  const service = await start(`redis://127.0.0.1:${proxy.port}`);
  try {
    await fetch(`${service.url}/ping`);
    await redis.kill();
    proxy.setMode('refuse');
    service.resetPeakRss();
    const load = await wrk(`${service.url}/ping`, { ...settings, script: 'x-cache' });
    return row('GET /ping, Redis down (BYPASS)', 'GET /ping', load, { peakRssMiB: service.peakRssMiB() });
  } finally {
    await service.stop();
    await proxy.close();
    await redis.kill();
  }
}

/** 1000 concurrent GET /ping on a fresh key prefix; `countRows` says how many pings were recorded. */
export async function coldKeyBurst(service: BenchProcess, countRows: () => Promise<number>): Promise<ScenarioResult> {
  const before = await countRows();
  service.resetPeakRss();
  const started = performance.now();
  const timed = await Promise.all(
    Array.from({ length: 1_000 }, async () => {
      const t0 = performance.now();
      const response = await fetch(`${service.url}/ping`).catch(() => null);
      await response?.arrayBuffer();
      return { ms: performance.now() - t0, status: response?.status ?? 0 };
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const sorted = timed.map((t) => t.ms).sort((a, b) => a - b);
  const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
  const load: Load = {
    requestsPerSec: timed.length / seconds,
    requests: timed.length,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    errors: timed.filter((t) => t.status === 0).length,
    non2xx: timed.filter((t) => t.status !== 0 && (t.status < 200 || t.status > 299)).length,
  };
  const inserted = (await countRows()) - before;
  return row('cold-key burst, 1000 concurrent', 'GET /ping', load, {
    peakRssMiB: service.peakRssMiB(),
    note: `${inserted} row(s) inserted`,
  });
}

/** The node arguments of `npm start` (the embedded default): its flags, then the entry point. */
function npmStartNodeArgs(): string[] {
  const scripts = (
    JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  ).scripts;
  const [node, ...args] = scripts.start!.split(/\s+/);
  if (node !== 'node') throw new Error(`npm start does not run node itself: ${scripts.start}`);
  return args;
}

/**
 * The embedded default, started twice on a fresh DATA_DIR as `npm start` runs it (no POSTGRES_URI,
 * no REDIS_URI): the first start runs initdb, the second is every later one. Each: RSS after the
 * first request, then the peak under the write load.
 */
export async function embedded(settings: LoadSettings): Promise<ScenarioResult[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ping-bench-embedded-'));
  const rows: ScenarioResult[] = [];
  try {
    for (const start of ['first start (initdb)', 'later start']) {
      // wrk writes from one address: a limit that never refuses it; a metrics port of its own.
      const env = {
        DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        SHUTDOWN_DELAY_MS: '0',
        WRITE_RATE_LIMIT_PER_MINUTE: '1000000',
        METRICS_PORT: String(await freePort()),
      };
      const service = await BenchProcess.start(
        'embedded',
        npmStartNodeArgs(),
        env,
        await freePort(),
        '/readyz',
        180_000,
      );
      try {
        const startPeak = service.peakRssMiB();
        await fetch(`${service.url}/ping`);
        await new Promise((r) => setTimeout(r, 1_000));
        const idle = service.rssMiB();
        service.resetPeakRss();
        const load = await wrk(`${service.url}/pings`, { ...settings, script: 'post' });
        rows.push(
          row(`embedded, ${start}: POST /pings`, '/pings', load, {
            idleRssMiB: idle,
            peakRssMiB: service.peakRssMiB(),
            note: `npm start's flags, PGlite; peak while starting ${startPeak} MiB`,
          }),
        );
      } finally {
        await service.stop();
      }
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  return rows;
}
