/**
 * `npm run bench`: the service (as the image runs it, against real Redis and PostgreSQL, Sentry
 * on) against a bare Koa endpoint, loaded in turn (A B A B) at one concurrency, in one run.
 * Writes bench/results/latest.{md,json} and prints the table. Exit code 1 if a target is missed.
 */
import autocannon from 'autocannon';
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import pg from 'pg';
import { FaultProxy } from '../tests/support/fault-proxy.js';
import { freePort, RedisServerProcess } from '../tests/support/redis-server-process.js';
import { BenchProcess, imageNodeArgs, imageNodeOptions, root } from './processes.js';
import { FakeSentryIngest } from '../tests/support/fake-sentry-ingest.js';
import { writeReport, type BenchReport, type ScenarioResult } from './report.js';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const POSTGRES = process.env.TEST_POSTGRES_URI ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS = process.env.TEST_REDIS_URI ?? 'redis://127.0.0.1:6379';
const REDIS_COMMAND_TIMEOUT_MS = 250;

async function load(
  url: string,
  options: { method?: string; body?: string; connections?: number; amount?: number } = {},
) {
  const result = await autocannon({
    url,
    connections: options.connections ?? CONNECTIONS,
    ...(options.amount ? { amount: options.amount } : { duration: SECONDS }),
    method: (options.method ?? 'GET') as 'GET',
    ...(options.body ? { body: options.body, headers: { 'content-type': 'application/json' } } : {}),
  });
  return {
    requestsPerSec: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

/** Rounds of one scenario as one row: mean req/s, worst latencies, all errors. */
function acrossRounds(rounds: Array<Awaited<ReturnType<typeof load>>>) {
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  return {
    requestsPerSec: sum(rounds.map((r) => r.requestsPerSec)) / rounds.length,
    p50Ms: Math.max(...rounds.map((r) => r.p50Ms)),
    p99Ms: Math.max(...rounds.map((r) => r.p99Ms)),
    errors: sum(rounds.map((r) => r.errors)),
    non2xx: sum(rounds.map((r) => r.non2xx)),
  };
}

async function withDatabase<T>(work: (uri: string, count: () => Promise<number>) => Promise<T>): Promise<T> {
  const name = `ping_bench_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: POSTGRES });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const uri = Object.assign(new URL(POSTGRES), { pathname: `/${name}` }).toString();
  const counter = new pg.Client({ connectionString: uri });
  try {
    await counter.connect();
    const count = async () => Number((await counter.query('select count(*)::int as n from pings')).rows[0].n);
    return await work(uri, count);
  } finally {
    await counter.end().catch(() => undefined);
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

async function main(): Promise<void> {
  console.log('building…');
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  const sentry = await FakeSentryIngest.start();
  // BENCH_NODE_OPTIONS tries other V8 flags against the image's own (e.g. young-generation sizes).
  const nodeOptions = process.env.BENCH_NODE_OPTIONS ?? imageNodeOptions();
  const serviceArgs = imageNodeArgs();
  const results: ScenarioResult[] = [];
  const checks: BenchReport['checks'] = [];

  await withDatabase(async (postgresUri, countRows) => {
    const serviceEnv = (prefix: string, redisUri = REDIS): Record<string, string> => ({
      NODE_ENV: 'production',
      POSTGRES_URI: postgresUri,
      REDIS_URI: redisUri,
      REDIS_KEY_PREFIX: `bench:${process.pid}:${prefix}:`,
      REDIS_COMMAND_TIMEOUT_MS: String(REDIS_COMMAND_TIMEOUT_MS),
      SENTRY_DSN: sentry.dsn,
      SENTRY_RELEASE: 'bench',
      SHUTDOWN_DELAY_MS: '0',
      ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
    });
    const baseline = await BenchProcess.start('baseline', ['bench/baseline-server.mjs'], {}, await freePort(), '/');
    const service = await BenchProcess.start('service', serviceArgs, serviceEnv('hit'), await freePort(), '/readyz');
    try {
      // Warm both (JIT, pools, the cache entry) before measuring.
      await load(`${baseline.url}/`, { amount: 5_000 });
      await load(`${service.url}/ping`, { amount: 5_000 });

      const rounds: Array<{ base: Awaited<ReturnType<typeof load>>; hit: Awaited<ReturnType<typeof load>> }> = [];
      service.resetPeakRss();
      for (let round = 1; round <= ROUNDS; round++) {
        const base = await load(`${baseline.url}/`);
        const hit = await load(`${service.url}/ping`);
        console.log(
          `round ${round}: baseline ${Math.round(base.requestsPerSec)} req/s, HIT ${Math.round(hit.requestsPerSec)} req/s`,
        );
        rounds.push({ base, hit });
      }
      const hitPeak = service.peakRssMiB();
      const base = acrossRounds(rounds.map((r) => r.base));
      const hit = acrossRounds(rounds.map((r) => r.hit));
      const baseRps = base.requestsPerSec;
      const baseP99 = base.p99Ms;
      const hitRps = hit.requestsPerSec;
      const hitP99 = hit.p99Ms;
      const hitErrors = hit.errors + hit.non2xx;
      results.push({
        scenario: 'baseline: bare Koa JSON',
        target: 'GET /',
        ...base,
        peakRssMiB: baseline.peakRssMiB(),
        ratioToBaseline: 1,
        note: `mean of ${ROUNDS} rounds`,
      });
      results.push({
        scenario: 'GET /ping HIT',
        target: 'GET /ping',
        ...hit,
        peakRssMiB: hitPeak,
        ratioToBaseline: hitRps / baseRps,
        note: `mean of ${ROUNDS} rounds, interleaved with the baseline`,
      });
      checks.push({
        check: 'HIT req/s >= 0.85 x baseline',
        pass: hitRps >= 0.85 * baseRps,
        detail: (hitRps / baseRps).toFixed(2),
      });
      checks.push({
        check: 'HIT p99 <= 2 x baseline p99',
        pass: hitP99 <= 2 * baseP99,
        detail: `${hitP99} ms vs ${baseP99} ms`,
      });

      for (const [scenario, target, options] of [
        ['POST /pings (write path)', '/pings', { method: 'POST', body: JSON.stringify({ note: 'bench' }) }],
        ['GET /pings?limit=20', '/pings?limit=20', {}],
      ] as const) {
        service.resetPeakRss();
        const rowsBefore = await countRows();
        const measured = await load(`${service.url}${target}`, options);
        const note = scenario.startsWith('POST') ? `${(await countRows()) - rowsBefore} rows committed` : '';
        results.push({
          scenario,
          target,
          ...measured,
          peakRssMiB: service.peakRssMiB(),
          ratioToBaseline: measured.requestsPerSec / baseRps,
          note,
        });
      }
      const noFaultErrors = hitErrors + results.slice(2).reduce((n, r) => n + r.errors + r.non2xx, 0);
      checks.push({
        check: 'zero errors without injected faults',
        pass: noFaultErrors === 0,
        detail: `${noFaultErrors} errors or non-2xx`,
      });
    } finally {
      await service.stop();
      await baseline.stop();
    }

    // Redis down: the service talks to a private redis-server that is then killed.
    const redis = await RedisServerProcess.start();
    const proxy = await FaultProxy.start({ host: '127.0.0.1', port: redis.port });
    const bypassService = await BenchProcess.start(
      'service (Redis down)',
      serviceArgs,
      serviceEnv('bypass', `redis://127.0.0.1:${proxy.port}`),
      await freePort(),
      '/readyz',
    );
    try {
      await load(`${bypassService.url}/ping`, { amount: 2_000 });
      await redis.kill();
      proxy.setMode('refuse');
      bypassService.resetPeakRss();
      const measured = await load(`${bypassService.url}/ping`);
      const peak = bypassService.peakRssMiB();
      results.push({
        scenario: 'GET /ping, Redis down (BYPASS)',
        target: 'GET /ping',
        ...measured,
        peakRssMiB: peak,
        ratioToBaseline: null,
      });
      const bound = REDIS_COMMAND_TIMEOUT_MS + 100;
      checks.push({
        check: `BYPASS p99 <= Redis budget + one query (${bound} ms)`,
        pass: measured.p99Ms <= bound,
        detail: `${measured.p99Ms} ms`,
      });
      checks.push({
        check: 'BYPASS: zero non-2xx',
        pass: measured.non2xx + measured.errors === 0,
        detail: `${measured.non2xx + measured.errors}`,
      });
    } finally {
      await bypassService.stop();
      await proxy.close();
      await redis.kill();
    }

    // Cold key: 1000 concurrent GET /ping on a fresh prefix must record exactly one ping.
    const cold = await BenchProcess.start(
      'service (cold key)',
      serviceArgs,
      serviceEnv('cold'),
      await freePort(),
      '/readyz',
    );
    try {
      const before = await countRows();
      cold.resetPeakRss();
      const measured = await load(`${cold.url}/ping`, { connections: 1_000, amount: 1_000 });
      const inserted = (await countRows()) - before;
      results.push({
        scenario: 'cold-key burst, 1000 concurrent',
        target: 'GET /ping',
        ...measured,
        peakRssMiB: cold.peakRssMiB(),
        ratioToBaseline: null,
        note: `${inserted} row(s) inserted`,
      });
      checks.push({ check: 'cold-key burst inserts exactly 1 row', pass: inserted === 1, detail: `${inserted}` });
    } finally {
      await cold.stop();
    }
  });
  await sentry.close();

  const peaks = results.filter((r) => r.scenario !== 'baseline: bare Koa JSON').map((r) => r.peakRssMiB ?? 0);
  checks.push({
    check: 'service peak RSS <= 90 MiB',
    pass: Math.max(...peaks) <= 90,
    detail: `${Math.max(...peaks)} MiB`,
  });
  const report: BenchReport = {
    date: new Date().toISOString(),
    machine: `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`,
    settings: {
      connections: CONNECTIONS,
      seconds: SECONDS,
      rounds: ROUNDS,
      nodeArgs: serviceArgs.join(' '),
      NODE_OPTIONS: nodeOptions ?? '',
    },
    results,
    checks,
  };
  console.log('\n' + writeReport(report));
  process.exitCode = checks.every((c) => c.pass) ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
