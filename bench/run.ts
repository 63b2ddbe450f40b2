/**
 * `npm run bench`: the service as the image runs it (its CMD and NODE_OPTIONS, real PostgreSQL in
 * a fresh database and Redis under a fresh prefix), with Sentry off and on, against bare Koa (the
 * framework's floor) and a Fastify + ioredis + pg peer, loaded in turn by wrk in one run; then the
 * write path, the list, Redis down, a cold-key burst and the embedded default. Keeps the run's
 * report whatever it says (bench/history.ts), prints it, and exits 1 if a target is missed.
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { FakeSentryIngest } from '../harness/fake-sentry-ingest.js';
import { RedisServerProcess } from '../harness/redis-server-process.js';
import { REDIS_BUDGETS } from '../infrastructure/redis/create-redis-client.js';
import { withDatabase, type BenchDatabase } from './bench-database.js';
import { hitChecks, NAMES, scenarioChecks } from './checks.js';
import { GC_TRACE_FLAGS, heapKiBPerRequest } from './heap-allocation.js';
import { hitRounds, hitRow } from './hit-rounds.js';
import { keepRun, measuredCode } from './history.js';
import { benchNode, imageNodeOptions, root } from './processes.js';
import { pinnedTo } from './wrk.js';
import type { BenchReport, MeasuredCode, ScenarioResult } from './report.js';
import { scaleScenarios } from './scale.js';
import { coldKeyBurst, embedded, redisDown, writeAndList } from './scenarios.js';
import { overload } from './overload.js';
import { BenchServers, type HitServer } from './servers.js';
import { tracingCost } from './tracing-cost.js';

/** Each setting: its variable and its default. A run with other values is a trial (bench/history.ts). */
const VARIABLES = {
  connections: ['BENCH_CONNECTIONS', 50],
  seconds: ['BENCH_SECONDS', 5],
  rounds: ['BENCH_ROUNDS', 12],
  /** Short rounds: the shorter a round, the likelier both sides of a pair see the same host speed. */
  roundSeconds: ['BENCH_ROUND_SECONDS', 2],
} as const;
type Setting = keyof typeof VARIABLES;
const SETTINGS = Object.fromEntries(
  Object.entries(VARIABLES).map(([key, [name, fallback]]) => [key, Number(process.env[name] ?? fallback)]),
) as Record<Setting, number>;

/** What makes this run a trial: settings off their defaults, V8 flags or a Redis other than the image's and the bench's own. */
function trialBecause(servers: BenchServers): string[] {
  const changed = Object.entries(VARIABLES)
    .filter(([key, [, fallback]]) => SETTINGS[key as Setting] !== fallback)
    .map(([key, [name]]) => `${name}=${SETTINGS[key as Setting]}`);
  if (servers.nodeOptions !== imageNodeOptions()) changed.push(`BENCH_NODE_OPTIONS=${servers.nodeOptions}`);
  if (process.env.BENCH_REDIS_URI) changed.push('BENCH_REDIS_URI');
  return changed;
}
const POSTGRES = process.env.TEST_POSTGRES_URI ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const load = () => loadavg().map((n) => Math.round(n * 100) / 100);

type Check = BenchReport['checks'][number];
interface Measured {
  readonly results: ScenarioResult[];
  readonly checks: Check[];
}

function build(): void {
  console.log('building…');
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
}

const hitTargets = (hitServers: HitServer[]) =>
  hitServers.map(({ process, path }) => ({ name: process.name, process, path }));

/**
 * The HIT comparison of the four servers; then the write path and the list on the Sentry-on
 * service; then, on fresh processes of the four, the heap each HIT request allocates.
 */
async function hitComparison(servers: BenchServers, database: BenchDatabase): Promise<Measured> {
  const measured = await withHitServers(servers, [], async (hitServers): Promise<Measured> => {
    const hit = await hitRounds(hitTargets(hitServers), SETTINGS);
    const rows = hit.map((result, index) => hitRow(result, hit[0]!, hitServers[index]!.note));
    const sentryOn = hitServers.find((s) => s.process.name === NAMES.sentryOn)!.process;
    return {
      results: [...rows, ...(await writeAndList(sentryOn, SETTINGS, database.countRows))],
      checks: hitChecks(hit),
    };
  });
  const heap = await withHitServers(servers, GC_TRACE_FLAGS, (traced) =>
    heapKiBPerRequest(hitTargets(traced), SETTINGS.connections),
  );
  return {
    ...measured,
    results: measured.results.map((row) =>
      heap.has(row.scenario) ? { ...row, heapKiBPerRequest: heap.get(row.scenario) } : row,
    ),
  };
}

/** The four HIT servers, started with `nodeFlags`, for the time `use` takes; stopped whatever happens. */
async function withHitServers<T>(servers: BenchServers, nodeFlags: string[], use: (s: HitServer[]) => Promise<T>) {
  const hitServers = await servers.hitServers(nodeFlags);
  try {
    return await use(hitServers);
  } finally {
    for (const server of hitServers) await server.process.stop();
  }
}

/** The service when things go wrong: Redis down (every answer a BYPASS), a burst on one cold key. */
async function failureScenarios(servers: BenchServers, database: BenchDatabase): Promise<ScenarioResult[]> {
  const bypass = await redisDown(
    (redisUri) => servers.service('service (Redis down)', 'bypass', { sentry: true, redisUri }),
    SETTINGS,
  );
  const cold = await servers.service('service (cold key)', 'cold', { sentry: true });
  try {
    return [bypass, await coldKeyBurst(cold, database.countRows)];
  } finally {
    await cold.stop();
  }
}

/** Keeps the run (bench/history.ts) and prints its report. */
function report(servers: BenchServers, start: { load: number[]; code: MeasuredCode | null }, measured: Measured) {
  const kept = keepRun({
    date: new Date().toISOString(),
    code: start.code,
    trialBecause: trialBecause(servers),
    machine: `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${execFileSync(benchNode, ['--version'], { encoding: 'utf8' }).trim()}`,
    loadAverage: { start: start.load, end: load() },
    command: `BENCH_NODE=${benchNode === process.execPath ? '$(which node)' : benchNode} npm run bench`,
    settings: {
      ...SETTINGS,
      load: 'wrk -t1 and a private redis-server, pinned to core 0; servers pinned to core 1',
      nodeArgs: servers.serviceArgs.join(' '),
      NODE_OPTIONS: servers.nodeOptions ?? '',
    },
    ...measured,
  });
  console.log(`\n${kept.markdown}\nkept as ${kept.file}, listed in ${kept.history}`);
}

/**
 * A Redis of the bench's own on the load generator's core (BENCH_REDIS_URI names another): the
 * machine's shared Redis floats between the cores, and on the servers' core it took CPU from the
 * server under test at random, which moved the HIT ratio from run to run.
 */
async function benchRedis(): Promise<{ uri: string; stop(): Promise<void> }> {
  if (process.env.BENCH_REDIS_URI) return { uri: process.env.BENCH_REDIS_URI, stop: async () => {} };
  const redis = await RedisServerProcess.start(undefined, { prefix: pinnedTo(0) });
  return { uri: `redis://127.0.0.1:${redis.port}`, stop: () => redis.kill() };
}

async function main(): Promise<number> {
  // Before the build: the code measured is the code as the run found it.
  const start = { load: load(), code: measuredCode() };
  build();
  const redis = await benchRedis();
  const sentry = await FakeSentryIngest.start();
  const { servers, hit, failures, overloaded, tracing, scale } = await withDatabase(POSTGRES, async (database) => {
    const servers = new BenchServers({
      postgresUri: database.uri,
      redisUri: redis.uri,
      sentryDsn: sentry.dsn,
    });
    const hit = await hitComparison(servers, database);
    const failures = await failureScenarios(servers, database);
    const overloaded = await overload(
      (env) => servers.service('service (overload)', 'overload', { sentry: false, env }),
      SETTINGS,
    );
    const tracing = await tracingCost(servers, SETTINGS);
    // The cost of growth (bench/scale.ts): minutes of filling and pruning, so on request.
    const scale = process.env.BENCH_SCALE === '1' ? await scaleScenarios(redis.uri) : { results: [], checks: [] };
    return { servers, hit, failures, overloaded, tracing, scale };
  }).finally(() => Promise.all([sentry.close(), redis.stop()]));
  const results = [
    ...hit.results,
    ...failures,
    ...overloaded.results,
    ...tracing,
    ...(await embedded(SETTINGS)),
    ...scale.results,
  ];
  const checks = [
    ...hit.checks,
    ...scenarioChecks(results, REDIS_BUDGETS.commandTimeoutMs + 100),
    ...overloaded.checks,
    ...scale.checks,
  ];
  report(servers, start, { results, checks });
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
