/**
 * The cost of growth: the same service on a table of BENCH_SCALE_ROWS pings (10 million by
 * default) beside one of 10 thousand, each in a fresh database filled with one
 * INSERT ... SELECT generate_series. For each: `GET /pings` p99 for the first page and for a page
 * deep in the history, the MISS insert p99 (`POST /pings`), bytes per row on disk (heap, index and
 * TOAST), then `npm run prune`'s built script removing the nine rows in ten past the retention, timed,
 * with the `POST /pings` p99 measured while it runs.
 *
 * Runnable alone (`npx tsx bench/scale.ts`, after `npm run build`; prints a table) and from
 * `npm run bench` with BENCH_SCALE=1 (its rows and check join the report).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import pg from 'pg';
import { RedisServerProcess } from '../harness/redis-server-process.js';
import { withDatabase } from './bench-database.js';
import { root } from './processes.js';
import type { BenchReport, ScenarioResult } from './report.js';
import { row } from './scenarios.js';
import { BenchServers } from './servers.js';
import { parseWrk, pinnedTo, wrk, type LoadResult } from './wrk.js';

const POSTGRES = process.env.TEST_POSTGRES_URI ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** The sizes compared: the large one from BENCH_SCALE_ROWS. */
const SMALL_ROWS = 10_000;
const LARGE_ROWS = Number(process.env.BENCH_SCALE_ROWS ?? 10_000_000);
/** A light, closed-loop load: latency at a steady rate, not under saturation (where queueing is all p99 shows). */
const LOAD = { connections: 4, seconds: 10 };
const RETENTION_DAYS = 30;
/** Longer than any prune here: wrk is stopped (SIGINT, after which it prints its figures) when the prune exits. */
const UNTIL_STOPPED = '3600s';

type Check = BenchReport['checks'][number];
export interface ScaleMeasured {
  readonly results: ScenarioResult[];
  readonly checks: Check[];
}

/**
 * Nine rows in ten a day past the retention and 100 ms apart, then the tenth within it, a second apart:
 * ids grow with time, as the service writes them. One row in ten has a short note.
 */
const FILL_SQL = `
insert into pings (created_at, note)
select case when g <= $2
         then now() - make_interval(days => $3 + 1) - ($2 - g) * interval '100 milliseconds'
         else now() - ($1 - g) * interval '1 second' end,
       case when g % 10 = 0 then 'a note of a bench ping' end
from generate_series(1, $1) as g`;

/** `npm run prune`'s command (node and the built script), timed; resolves once it exits. */
async function runPrune(env: Record<string, string>): Promise<{ removed: number; seconds: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--enable-source-maps', 'dist/interfaces/startup/prune.js'], {
    cwd: root,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`npm run prune exited ${code}`);
  const removed = Number(/"removed":(\d+)/.exec(stdout)?.[1]);
  return { removed, seconds: (performance.now() - started) / 1000 };
}

/**
 * `POST /pings` under the same load as `wrk()` gives it, from now until `done` settles: one wrk
 * run over the whole of it, so its p99 is the p99 of every write made meanwhile.
 */
async function writesUntil(url: string, done: Promise<unknown>): Promise<LoadResult> {
  const args = ['-t1', `-c${LOAD.connections}`, `-d${UNTIL_STOPPED}`, '--latency', '--timeout', '5s'];
  const [command, ...prefix] = [...pinnedTo(0), process.env.BENCH_WRK ?? '/usr/bin/wrk'];
  const child = spawn(command!, [...prefix, ...args, '-s', `${root}/bench/post.lua`, `${url}/pings`], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = once(child, 'exit');
  await done.finally(() => child.kill('SIGINT'));
  await exited;
  return parseWrk(stdout);
}

/** One size: fill, settle, measure, prune under write load. */
async function measureSize(rows: number, redisUri: string): Promise<ScaleMeasured> {
  const label = rows >= 1_000_000 ? `${rows / 1_000_000}M` : `${rows / 1_000}k`;
  return withDatabase(POSTGRES, async (database) => {
    const servers = new BenchServers({
      postgresUri: database.uri,
      redisUri,
      sentryDsn: '',
    });
    const service = await servers.service(`scale ${label}`, `scale-${label}`, { sentry: false }); // migrates
    const sql = new pg.Client({ connectionString: database.uri });
    await sql.connect();
    try {
      console.log(`scale ${label}: filling…`);
      const old = Math.round(rows * 0.9);
      await sql.query(FILL_SQL, [rows, old, RETENTION_DAYS]);
      await sql.query('vacuum analyze pings');
      const size = await sql.query<{ bytes: string; n: string; deep: string }>(
        `select pg_total_relation_size('pings') as bytes, count(*) as n,
                (select min(id) from pings) + count(*) / 20 as deep from pings`,
      );
      const bytesPerRow = Number(size.rows[0]!.bytes) / Number(size.rows[0]!.n);
      const first = await wrk(`${service.url}/pings?limit=20`, LOAD);
      const deep = await wrk(`${service.url}/pings?limit=20&before=${size.rows[0]!.deep}`, LOAD);
      const insert = await wrk(`${service.url}/pings`, { ...LOAD, script: 'post' });

      console.log(`scale ${label}: pruning…`);
      const pruneEnv = {
        NODE_ENV: 'production',
        POSTGRES_URI: database.uri,
        REDIS_URI: redisUri,
        PUBLIC_WRITES: 'true',
        RETENTION_DAYS: String(RETENTION_DAYS),
      };
      const pruned = runPrune(pruneEnv);
      const during = await writesUntil(service.url, pruned);
      const prune = await pruned;
      const ratio = during.p99Ms / insert.p99Ms;
      return {
        results: [
          row(`${label} rows: GET /pings, first page`, '/pings?limit=20', first, {
            note: `${Math.round(bytesPerRow)} bytes/row on disk`,
          }),
          row(
            `${label} rows: GET /pings, a page a twentieth of the way from the oldest`,
            '/pings?limit=20&before=…',
            deep,
            {},
          ),
          row(`${label} rows: POST /pings (MISS insert)`, '/pings', insert, {}),
          row(`${label} rows: POST /pings during npm run prune`, '/pings', during, {
            note: `prune removed ${prune.removed} rows in ${prune.seconds.toFixed(1)} s`,
          }),
        ],
        checks: [
          {
            check: `${label} rows: POST p99 during the prune <= 3 x before`,
            pass: ratio <= 3,
            detail: `${during.p99Ms} ms against ${insert.p99Ms} ms (${ratio.toFixed(2)} x)`,
          },
          {
            check: `${label} rows: the prune removes the rows past the retention only`,
            pass: prune.removed === old,
            detail: `${prune.removed} of ${old} expired rows`,
          },
        ],
      };
    } finally {
      await sql.end();
      await service.stop();
    }
  });
}

/** Both sizes, the small one first (its figures are the reference). */
export async function scaleScenarios(redisUri: string): Promise<ScaleMeasured> {
  const small = await measureSize(SMALL_ROWS, redisUri);
  const large = await measureSize(LARGE_ROWS, redisUri);
  return { results: [...small.results, ...large.results], checks: [...small.checks, ...large.checks] };
}

/** Alone: a private Redis on the load generator's core (or BENCH_REDIS_URI), then a table. */
async function main(): Promise<void> {
  const redis = process.env.BENCH_REDIS_URI ? null : await RedisServerProcess.start(undefined, { prefix: pinnedTo(0) });
  try {
    const { results, checks } = await scaleScenarios(process.env.BENCH_REDIS_URI ?? `redis://127.0.0.1:${redis!.port}`);
    const lines = [
      `| scenario | req/s | p50 ms | p99 ms | non-2xx | note |`,
      `|---|---:|---:|---:|---:|---|`,
      ...results.map(
        (r) =>
          `| ${r.scenario} | ${Math.round(r.requestsPerSec)} | ${r.p50Ms} | ${r.p99Ms} | ${r.non2xx} | ${r.note ?? ''} |`,
      ),
      '',
      ...checks.map((c) => `- ${c.pass ? 'met' : 'MISSED'}: ${c.check}: ${c.detail}`),
    ];
    console.log(`\n${lines.join('\n')}`);
    process.exitCode = checks.every((c) => c.pass) ? 0 : 1;
  } finally {
    await redis?.kill();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
