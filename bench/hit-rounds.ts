/**
 * The HIT comparison of `npm run bench`: every target warmed, then loaded in turn (A B C D, then
 * D C B A, ...) so that the machine's drift hits all alike, and each target's ratio is to the
 * baseline's req/s of the same run. CPU time per request (from /proc) is reported beside req/s:
 * on a shared machine it moves much less than throughput does. Every round runs wrk with
 * bench/x-cache.lua, the baseline's too, so that the load generator does the same work for all
 * four; the answers' X-Cache tally says whether what was counted as hits were hits.
 */
import type { BenchProcess } from './processes.js';
import type { ScenarioResult } from './report.js';
import { wrk, type LoadResult, type XCacheTally } from './wrk.js';

export interface HitTarget {
  readonly name: string;
  readonly process: BenchProcess;
  readonly path: string;
}

export interface HitResult {
  readonly name: string;
  readonly path: string;
  readonly rounds: LoadResult[];
  /**
   * Over the rounds: the median req/s and latencies, all errors. The median, not the mean or the
   * worst: a shared host only ever slows a round down, and one slowed round of one target moved
   * the mean's ratios visibly between runs (the worst p99 is in the report's note).
   * `xCache` adds up the rounds' tallies; `loadGeneratorCpuShare` is wrk's largest share of its
   * core in any round (near 1, wrk set the pace).
   */
  readonly summary: LoadResult;
  readonly cpuUsPerRequest: number;
  /** RSS after the first request and a second's rest, before any load. */
  readonly idleRssMiB: number | null;
  /** VmHWM over the warm-up-free rounds. */
  readonly peakRssMiB: number | null;
}

export interface HitSettings {
  readonly rounds: number;
  /** Seconds of load per target and round. */
  readonly roundSeconds: number;
  readonly connections: number;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** wrk's latencies are in hundredths of a ms; the median of two of them is not always. */
const toHundredths = (ms: number) => Math.round(ms * 100) / 100;

function tallied(rounds: LoadResult[]): XCacheTally {
  const total: Record<string, number> = {};
  for (const [value, count] of rounds.flatMap((round) => Object.entries(round.xCache ?? {})))
    total[value] = (total[value] ?? 0) + count;
  return total;
}

function across(rounds: LoadResult[]): LoadResult {
  return {
    requestsPerSec: median(rounds.map((r) => r.requestsPerSec)),
    requests: sum(rounds.map((r) => r.requests)),
    p50Ms: toHundredths(median(rounds.map((r) => r.p50Ms))),
    p99Ms: toHundredths(median(rounds.map((r) => r.p99Ms))),
    errors: sum(rounds.map((r) => r.errors)),
    non2xx: sum(rounds.map((r) => r.non2xx)),
    xCache: tallied(rounds),
    loadGeneratorCpuShare: Math.max(...rounds.map((r) => r.loadGeneratorCpuShare)),
  };
}

export async function hitRounds(targets: HitTarget[], settings: HitSettings): Promise<HitResult[]> {
  const idle = new Map<string, number | null>();
  for (const target of targets) {
    await fetch(target.process.url + target.path); // the one MISS: every measured request is a HIT
    await new Promise((r) => setTimeout(r, 1_000));
    idle.set(target.name, target.process.rssMiB());
  }
  for (const target of targets) {
    await wrk(target.process.url + target.path, { connections: settings.connections, seconds: 2 }); // JIT, pools
    target.process.resetPeakRss();
  }
  const rounds = new Map<string, LoadResult[]>(targets.map((t) => [t.name, []]));
  const cpu = new Map<string, number>(targets.map((t) => [t.name, 0]));
  for (let round = 0; round < settings.rounds; round++) {
    const order = round % 2 === 0 ? targets : [...targets].reverse();
    for (const target of order) {
      const before = target.process.cpuSeconds();
      const result = await wrk(target.process.url + target.path, {
        connections: settings.connections,
        seconds: settings.roundSeconds,
        script: 'x-cache',
      });
      cpu.set(target.name, cpu.get(target.name)! + target.process.cpuSeconds() - before);
      rounds.get(target.name)!.push(result);
    }
    console.log(
      `round ${round + 1}: ` +
        targets.map((t) => `${t.name} ${Math.round(rounds.get(t.name)!.at(-1)!.requestsPerSec)}`).join(', '),
    );
  }
  return targets.map((target) => {
    const summary = across(rounds.get(target.name)!);
    return {
      name: target.name,
      path: target.path,
      rounds: rounds.get(target.name)!,
      summary,
      cpuUsPerRequest: (cpu.get(target.name)! / Math.max(summary.requests, 1)) * 1e6,
      idleRssMiB: idle.get(target.name) ?? null,
      peakRssMiB: target.process.peakRssMiB(),
    };
  });
}

export interface PairedRatio {
  /** The median of the per-round ratios: what the targets are checked against. */
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/**
 * `hit`'s req/s over `other`'s, round by round, each pair measured within the same round, then
 * the median. Why not the ratio of the two medians: this host slows down as a whole for minutes
 * at a time, and a slow spell that caught one target's median round but not the other's moved
 * that ratio from run to run; within one round both targets see the same spell.
 */
export function pairedRatio(hit: HitResult, other: HitResult): PairedRatio {
  const ratios = hit.rounds.map((round, index) => round.requestsPerSec / other.rounds[index]!.requestsPerSec);
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
}

/** One HIT target's row of the report: its ratio to the baseline, paired round by round (pairedRatio). */
export function hitRow(hit: HitResult, baseline: HitResult, note: string): ScenarioResult {
  const { requestsPerSec, p50Ms, p99Ms, errors, non2xx } = hit.summary;
  const ratio = pairedRatio(hit, baseline);
  const spread = hit === baseline ? '' : `; ratio per round ${ratio.min.toFixed(2)}-${ratio.max.toFixed(2)}`;
  const worstP99 = Math.max(...hit.rounds.map((r) => r.p99Ms));
  return {
    scenario: hit.name,
    target: `GET ${hit.path}`,
    ...{ requestsPerSec, p50Ms, p99Ms, errors, non2xx },
    cpuUsPerRequest: hit.cpuUsPerRequest,
    xCache: hit.summary.xCache,
    loadGeneratorCpuShare: hit.summary.loadGeneratorCpuShare,
    idleRssMiB: hit.idleRssMiB,
    peakRssMiB: hit.peakRssMiB,
    ratioToBaseline: ratio.median,
    note: `${note}; each round ${hit.rounds.map((r) => Math.round(r.requestsPerSec)).join(' / ')}${spread}; worst p99 ${worstP99} ms`,
  };
}
