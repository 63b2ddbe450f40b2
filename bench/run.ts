/**
 * `npm run bench`: the service as the image runs it (its CMD and NODE_OPTIONS, real PostgreSQL in
 * a fresh database and Redis under a fresh prefix), with Sentry off and on, against bare Koa (the
 * framework's floor) and a Fastify + ioredis + pg peer, loaded in turn by wrk in one run; then the
 * write path, the list, Redis down, a cold-key burst and the embedded default. Writes
 * bench/results/latest.{md,json}, prints the table, exits 1 if a target is missed.
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import pg from 'pg';
import { FakeSentryIngest } from '../harness/fake-sentry-ingest.js';
import { freePort } from '../harness/free-port.js';
import { hitChecks, NAMES, scenarioChecks } from './checks.js';
import { hitRounds, type HitResult } from './hit-rounds.js';
import { BenchProcess, benchNode, imageNodeArgs, imageNodeOptions, root } from './processes.js';
import { writeReport, type ScenarioResult } from './report.js';
import { coldKeyBurst, embedded, redisDown, writeAndList } from './scenarios.js';

const SETTINGS = {
  connections: Number(process.env.BENCH_CONNECTIONS ?? 50),
  seconds: Number(process.env.BENCH_SECONDS ?? 5),
  rounds: Number(process.env.BENCH_ROUNDS ?? 3),
};
const POSTGRES = process.env.TEST_POSTGRES_URI ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS = process.env.TEST_REDIS_URI ?? 'redis://127.0.0.1:6379';
const REDIS_COMMAND_TIMEOUT_MS = 250;
const load = () => loadavg().map((n) => Math.round(n * 100) / 100);

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

function hitRow(hit: HitResult, baseline: HitResult, note: string): ScenarioResult {
  const { requestsPerSec, p50Ms, p99Ms, errors, non2xx } = hit.mean;
  return {
    scenario: hit.name,
    target: `GET ${hit.path}`,
    ...{ requestsPerSec, p50Ms, p99Ms, errors, non2xx },
    cpuUsPerRequest: hit.cpuUsPerRequest,
    idleRssMiB: hit.idleRssMiB,
    peakRssMiB: hit.peakRssMiB,
    ratioToBaseline: requestsPerSec / baseline.mean.requestsPerSec,
    note: `${note}; each round ${hit.rounds.map((r) => Math.round(r.requestsPerSec)).join(' / ')}`,
  };
}

async function main(): Promise<number> {
  const loadAtStart = load();
  console.log('building…');
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  const sentry = await FakeSentryIngest.start();
  const nodeOptions = process.env.BENCH_NODE_OPTIONS ?? imageNodeOptions(); // try other V8 flags
  const serviceArgs = imageNodeArgs();
  const results: ScenarioResult[] = [];
  const checks = [];

  await withDatabase(async (postgresUri, countRows) => {
    const serviceEnv = (prefix: string, options: { sentry: boolean; redis?: string }): Record<string, string> => ({
      NODE_ENV: 'production',
      POSTGRES_URI: postgresUri,
      REDIS_URI: options.redis ?? REDIS,
      REDIS_KEY_PREFIX: `bench:${process.pid}:${prefix}:`,
      REDIS_COMMAND_TIMEOUT_MS: String(REDIS_COMMAND_TIMEOUT_MS),
      ...(options.sentry ? { SENTRY_DSN: sentry.dsn, SENTRY_RELEASE: 'bench' } : {}),
      SHUTDOWN_DELAY_MS: '0',
      ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
    });
    const start = async (name: string, args: string[], env: Record<string, string>, readyPath: string) =>
      BenchProcess.start(name, args, env, await freePort(), readyPath);
    const processes = [
      await start(NAMES.baseline, ['bench/baseline-server.mjs'], {}, '/'),
      await start(NAMES.sentryOff, serviceArgs, serviceEnv('off', { sentry: false }), '/readyz'),
      await start(NAMES.sentryOn, serviceArgs, serviceEnv('on', { sentry: true }), '/readyz'),
      await start(
        NAMES.peer,
        ['bench/peers/fastify-peer.mjs'],
        { POSTGRES_URI: postgresUri, REDIS_URI: REDIS, REDIS_KEY_PREFIX: `bench:${process.pid}:peer:` },
        '/ping',
      ),
    ];
    try {
      const targets = processes.map((p) => ({
        name: p.name,
        process: p,
        path: p.name === NAMES.baseline ? '/' : '/ping',
      }));
      const hit = await hitRounds(targets, SETTINGS);
      const [baseline] = hit;
      results.push(hitRow(baseline!, baseline!, 'the framework floor'));
      results.push(hitRow(hit[1]!, baseline!, 'as the image runs it'));
      results.push(hitRow(hit[2]!, baseline!, 'as the image runs it, SENTRY_DSN set'));
      results.push(hitRow(hit[3]!, baseline!, 'bench/peers/fastify-peer.mjs'));
      checks.push(...hitChecks(hit));
      results.push(...(await writeAndList(processes[2]!, SETTINGS, countRows)));
    } finally {
      for (const p of processes) await p.stop();
    }
    const bypass = (redis: string) =>
      start('service (Redis down)', serviceArgs, serviceEnv('bypass', { sentry: true, redis }), '/readyz');
    results.push(await redisDown(bypass, SETTINGS));
    const cold = await start('service (cold key)', serviceArgs, serviceEnv('cold', { sentry: true }), '/readyz');
    try {
      results.push(await coldKeyBurst(cold, countRows));
    } finally {
      await cold.stop();
    }
  });
  await sentry.close();
  results.push(...(await embedded(SETTINGS)));
  checks.push(...scenarioChecks(results, REDIS_COMMAND_TIMEOUT_MS + 100));

  const markdown = writeReport({
    date: new Date().toISOString(),
    machine: `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${execFileSync(benchNode, ['--version'], { encoding: 'utf8' }).trim()}`,
    loadAverage: { start: loadAtStart, end: load() },
    command: `BENCH_NODE=${benchNode === process.execPath ? '$(which node)' : benchNode} npm run bench`,
    settings: {
      ...SETTINGS,
      load: 'wrk -t1, pinned to core 0; servers pinned to core 1',
      nodeArgs: serviceArgs.join(' '),
      NODE_OPTIONS: nodeOptions ?? '',
    },
    results,
    checks,
  });
  console.log('\n' + markdown);
  return checks.every((c) => c.pass) ? 0 : 1;
}

// Exits explicitly: a handle left open once held a finished run for twelve minutes.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
