/**
 * The bench's load generator: wrk (Debian package `wrk`), a C event loop that drives 50
 * connections from one thread at a fraction of a core. autocannon, before it, ran in a Node
 * process on the same 2 cores and took about a core's worth of CPU from the server under test,
 * which skewed exactly the ratios the bench steers by (0.78 of bare Koa with autocannon, 0.92 with
 * wrk, same build). wrk is pinned to core 0 and the servers to core 1 when `taskset` exists.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const WRK = process.env.BENCH_WRK ?? '/usr/bin/wrk';
const TASKSET = '/usr/bin/taskset';

export interface LoadResult {
  readonly requestsPerSec: number;
  readonly requests: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Socket errors (connect, read, write) and timeouts. */
  readonly errors: number;
  readonly non2xx: number;
}

export interface LoadOptions {
  readonly connections: number;
  readonly seconds: number;
  /** POST /pings with a JSON note (bench/post.lua) instead of GET. */
  readonly post?: boolean;
}

/** The command prefix that pins a process to one core, or nothing where taskset is missing. */
export function pinnedTo(core: number): string[] {
  return existsSync(TASKSET) ? [TASKSET, '-c', String(core)] : [];
}

export async function wrk(url: string, options: LoadOptions): Promise<LoadResult> {
  if (!existsSync(WRK)) throw new Error(`wrk not found at ${WRK}: apt-get install wrk (or set BENCH_WRK)`);
  const args = ['-t1', `-c${options.connections}`, `-d${options.seconds}s`, '--latency', '--timeout', '5s'];
  if (options.post) args.push('-s', resolve(import.meta.dirname, 'post.lua'));
  const [command, ...prefix] = [...pinnedTo(0), WRK];
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

function parseWrk(output: string): LoadResult {
  const number = (pattern: RegExp) => Number(pattern.exec(output)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  return {
    requestsPerSec: number(/Requests\/sec:\s+([\d.]+)/),
    requests: number(/(\d+) requests in/),
    p50Ms: ms(/^\s+50%\s+(\S+)/m.exec(output)?.[1]),
    p99Ms: ms(/^\s+99%\s+(\S+)/m.exec(output)?.[1]),
    errors: socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
    non2xx: number(/Non-2xx or 3xx responses: (\d+)/),
  };
}
