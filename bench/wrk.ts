/**
 * The bench's load generator: wrk (Debian package `wrk`), a C event loop that drives all
 * connections from one thread. A load generator written in Node (autocannon, before it) ran on
 * the same cores as the server under test and took CPU from it, which skewed exactly the ratios
 * the bench steers by. wrk is pinned to core 0 and the servers to core 1 when `taskset` exists,
 * and every run reports the share of its core wrk used: near 1, wrk and not the server set the
 * pace, and the run measured the load generator.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const WRK = process.env.BENCH_WRK ?? '/usr/bin/wrk';
const TASKSET = '/usr/bin/taskset';
/**
 * wrk run by bash, whose `times` builtin prints the CPU time of the shell's children last: wrk's
 * own (taskset execs it), without a package to install for it.
 */
const WITH_CPU_TIME = ['/bin/bash', '-c', '"$@"; status=$?; times; exit $status', 'wrk'];

/** X-Cache value -> answers that carried it; `(none)` for answers without the header. */
export type XCacheTally = Readonly<Record<string, number>>;

export interface LoadResult {
  readonly requestsPerSec: number;
  readonly requests: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Socket errors (connect, read, write) and timeouts. */
  readonly errors: number;
  readonly non2xx: number;
  /** The answers by X-Cache (bench/x-cache.lua), when the load ran with that script. */
  readonly xCache?: XCacheTally;
  /** wrk's CPU time (user + system) over the run's duration: the share of its core it used. */
  readonly loadGeneratorCpuShare: number;
}

/**
 * A wrk script: `post` sends POST /pings with a JSON note (bench/post.lua); `x-cache` tallies the
 * answers by X-Cache (bench/x-cache.lua). Without one, wrk never parses an answer's headers.
 */
type WrkScript = 'post' | 'x-cache';

export interface LoadOptions {
  readonly connections: number;
  readonly seconds: number;
  readonly script?: WrkScript;
}

/** The command prefix that pins a process to one core, or nothing where taskset is missing. */
export function pinnedTo(core: number): string[] {
  return existsSync(TASKSET) ? [TASKSET, '-c', String(core)] : [];
}

export async function wrk(url: string, options: LoadOptions): Promise<LoadResult> {
  if (!existsSync(WRK)) throw new Error(`wrk not found at ${WRK}: apt-get install wrk (or set BENCH_WRK)`);
  const args = ['-t1', `-c${options.connections}`, `-d${options.seconds}s`, '--latency', '--timeout', '5s'];
  if (options.script) args.push('-s', resolve(import.meta.dirname, `${options.script}.lua`));
  const [command, ...prefix] = [...WITH_CPU_TIME, ...pinnedTo(0), WRK];
  const { stdout } = await run(command!, [...prefix, ...args, url], { maxBuffer: 1 << 20 });
  return parseWrk(stdout);
}

/** wrk's latency figures carry their unit (us, ms, s); the table is in ms. */
function ms(text: string | undefined): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text ?? '');
  if (!match) return Number.NaN;
  const scale = { us: 0.001, ms: 1, s: 1000, m: 60_000 }[match[2] as 'us' | 'ms' | 's' | 'm'];
  return Math.round(Number(match[1]) * scale * 100) / 100;
}

/** The line bench/x-cache.lua prints: `X-Cache: HIT=<n> MISS=<n> ...`. */
function xCacheTally(output: string): XCacheTally | undefined {
  const line = /^X-Cache: (.*)$/m.exec(output)?.[1];
  if (line === undefined) return undefined;
  const pairs = line.split(' ').filter(Boolean);
  return Object.fromEntries(
    pairs.map((pair) => [pair.slice(0, pair.lastIndexOf('=')), Number(pair.slice(pair.lastIndexOf('=') + 1))]),
  );
}

/** bash's `times`, last line: the children's user and system time, e.g. `0m1.234s 0m0.567s`. */
function childCpuSeconds(output: string): number {
  const match = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/.exec(output);
  if (!match) return Number.NaN;
  const [userMinutes, userSeconds, systemMinutes, systemSeconds] = match.slice(1).map(Number);
  return userMinutes! * 60 + userSeconds! + systemMinutes! * 60 + systemSeconds!;
}

export function parseWrk(output: string): LoadResult {
  const number = (pattern: RegExp) => Number(pattern.exec(output)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const xCache = xCacheTally(output);
  return {
    requestsPerSec: number(/Requests\/sec:\s+([\d.]+)/),
    requests: number(/(\d+) requests in/),
    p50Ms: ms(/^\s+50%\s+(\S+)/m.exec(output)?.[1]),
    p99Ms: ms(/^\s+99%\s+(\S+)/m.exec(output)?.[1]),
    errors: socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
    non2xx: number(/Non-2xx or 3xx responses: (\d+)/),
    ...(xCache ? { xCache } : {}),
    loadGeneratorCpuShare: childCpuSeconds(output) / (ms(/requests in (\S+),/.exec(output)?.[1]) / 1000),
  };
}
