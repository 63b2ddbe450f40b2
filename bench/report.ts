import type { XCacheTally } from './wrk.js';

export interface ScenarioResult {
  readonly scenario: string;
  readonly target: string;
  readonly requestsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  readonly non2xx: number;
  /** The answers by X-Cache, where the load tallied them (bench/x-cache.lua). */
  readonly xCache?: XCacheTally;
  /** The largest share of its core wrk used (bench/wrk.ts); near 1, wrk set the pace. */
  readonly loadGeneratorCpuShare?: number;
  readonly peakRssMiB: number | null;
  /** RSS after the first request, before any load. */
  readonly idleRssMiB?: number | null;
  readonly cpuUsPerRequest?: number;
  /** Heap allocated per request (bench/heap-allocation.ts): unlike the timings, not the host's speed. */
  readonly heapKiBPerRequest?: number;
  readonly ratioToBaseline: number | null;
  readonly note?: string;
}

/** The code a run measured: the commit checked out, and whether the work tree differed from it. */
export interface MeasuredCode {
  readonly commit: string;
  /** Changes outside bench/results/ (`git status --porcelain` lines); none when the tree was clean. */
  readonly changes: string[];
}

export interface BenchReport {
  readonly date: string;
  /** null where the bench ran outside a git work tree. */
  readonly code: MeasuredCode | null;
  /** The settings that made this a trial run (not the bench's defaults); empty for a full run. */
  readonly trialBecause: string[];
  readonly machine: string;
  /** The machine's load average (1, 5, 15 min) when the run started and ended: others share it. */
  readonly loadAverage: { start: number[]; end: number[] };
  readonly command: string;
  readonly settings: Record<string, unknown>;
  readonly results: ScenarioResult[];
  readonly checks: Array<{ check: string; pass: boolean; detail: string }>;
}

const tally = (xCache: XCacheTally | undefined) =>
  Object.entries(xCache ?? {})
    .map(([value, count]) => `${value} ${count}`)
    .join(', ');

function header(report: BenchReport): string[] {
  const { code, trialBecause, checks } = report;
  const missed = checks.filter((c) => !c.pass);
  const codeLine = !code
    ? 'not a git work tree'
    : `commit ${code.commit}, ${code.changes.length === 0 ? 'work tree clean' : `work tree **dirty** (${code.changes.map((line) => line.trim()).join('; ')})`}`;
  return [
    `# Bench run ${report.date}`,
    '',
    `- Code: ${codeLine}`,
    `- Kind: ${trialBecause.length === 0 ? "full run (the bench's default settings)" : `**trial run** (${trialBecause.join(', ')}): not comparable with full runs`}`,
    `- Checks: ${checks.length - missed.length} met, ${missed.length === 0 ? 'none missed' : `**${missed.length} missed** (${missed.map((c) => c.check).join('; ')})`}`,
    `- Machine: ${report.machine}; load average ${report.loadAverage.start.join(' ')} at the start, ${report.loadAverage.end.join(' ')} at the end`,
    `- Settings: ${JSON.stringify(report.settings)}`,
    `- Reproduce: \`${report.command}\``,
  ];
}

export function toMarkdown(report: BenchReport): string {
  const lines = [
    ...header(report),
    '',
    '| scenario | req/s | ratio to baseline | p50 ms | p99 ms | CPU µs/req | heap KiB/req | errors | non-2xx | X-Cache | wrk core share | idle RSS MiB | peak RSS MiB | note |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---|',
    ...report.results.map(
      (r) =>
        `| ${r.scenario} | ${Math.round(r.requestsPerSec)} | ${r.ratioToBaseline === null ? '' : r.ratioToBaseline.toFixed(2)} | ${r.p50Ms} | ${r.p99Ms} | ${r.cpuUsPerRequest === undefined ? '' : r.cpuUsPerRequest.toFixed(1)} | ${r.heapKiBPerRequest === undefined ? '' : r.heapKiBPerRequest.toFixed(1)} | ${r.errors} | ${r.non2xx} | ${tally(r.xCache)} | ${r.loadGeneratorCpuShare === undefined ? '' : r.loadGeneratorCpuShare.toFixed(2)} | ${r.idleRssMiB ?? ''} | ${r.peakRssMiB ?? 'n/a'} | ${r.note ?? ''} |`,
    ),
    '',
    '| target | result | measured |',
    '|---|---|---|',
    ...report.checks.map((c) => `| ${c.check} | ${c.pass ? 'met' : '**missed**'} | ${c.detail} |`),
  ];
  return lines.join('\n') + '\n';
}
