/**
 * Heap allocated per cache-hit request, from V8's own GC trace: with `--trace-gc-nvp` every
 * collection logs the bytes allocated since the one before. Unlike req/s and CPU time, it does
 * not move with the host's speed, so it compares builds across runs and machines, and the
 * young-generation GC's share of each request follows it. Measured on fresh processes of the HIT
 * targets, since the trace itself costs time.
 */
import type { HitTarget } from './hit-rounds.js';
import { wrk } from './wrk.js';

/** Node flags that make a process log each collection, `allocated=<bytes>` among its fields. */
export const GC_TRACE_FLAGS = ['--trace-gc-nvp'];

/** Seconds of load measured: long enough that the collections at either end of the window barely move the figure. */
const MEASURED_SECONDS = 5;

/** One collection's line of the trace: `[pid:isolate:0]  1234 ms: pause=... allocated=<bytes> ...`. */
const COLLECTION = /^\[\d+:0x[0-9a-f]+:\d+\]\s+[\d.]+ ms: pause=.* allocated=(\d+) /;

/**
 * The bytes allocated over the collections of a stretch of trace, and how many there were. The
 * first whole line's figure reaches back before the stretch began, so it is left out (as is a
 * line cut at either end).
 */
function allocatedBytes(trace: string): { bytes: number; collections: number } {
  const allocated = trace
    .split('\n')
    .map((line) => COLLECTION.exec(line)?.[1])
    .filter((bytes) => bytes !== undefined)
    .map(Number)
    .slice(1);
  return { bytes: allocated.reduce((a, b) => a + b, 0), collections: allocated.length };
}

/** KiB allocated per request, by target name; each target's process started with GC_TRACE_FLAGS. */
export async function heapKiBPerRequest(targets: HitTarget[], connections: number): Promise<Map<string, number>> {
  const perRequest = new Map<string, number>();
  for (const { name, process, path } of targets) {
    const url = process.url + path;
    await wrk(url, { connections, seconds: 2 }); // JIT, pools
    const from = process.stdoutText().length;
    const { requests } = await wrk(url, { connections, seconds: MEASURED_SECONDS });
    const { bytes, collections } = allocatedBytes(process.stdoutText(from));
    if (requests === 0 || collections < 2) throw new Error(`${name}: no GC trace under load`);
    perRequest.set(name, bytes / requests / 1024);
  }
  return perRequest;
}
