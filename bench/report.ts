import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { root } from './processes.js';

export interface ScenarioResult {
  readonly scenario: string;
  readonly target: string;
  readonly requestsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  readonly non2xx: number;
  readonly peakRssMiB: number | null;
  /** RSS after the first request, before any load. */
  readonly idleRssMiB?: number | null;
  readonly cpuUsPerRequest?: number;
  /** Heap allocated per request (bench/heap-allocation.ts): unlike the timings, not the host's speed. */
  readonly heapKiBPerRequest?: number;
  readonly ratioToBaseline: number | null;
  readonly note?: string;
}

export interface BenchReport {
  readonly date: string;
  readonly machine: string;
  /** The machine's load average (1, 5, 15 min) when the run started and ended: others share it. */
  readonly loadAverage: { start: number[]; end: number[] };
  readonly command: string;
  readonly settings: Record<string, unknown>;
  readonly results: ScenarioResult[];
  readonly checks: Array<{ check: string; pass: boolean; detail: string }>;
}

function toMarkdown(report: BenchReport): string {
  const lines = [
    `Run ${report.date} on ${report.machine}; load average ${report.loadAverage.start.join(' ')} at the start, ` +
      `${report.loadAverage.end.join(' ')} at the end; ${JSON.stringify(report.settings)}`,
    '',
    `Reproduce: \`${report.command}\``,
    '',
    '| scenario | req/s | ratio to baseline | p50 ms | p99 ms | CPU µs/req | heap KiB/req | errors | non-2xx | idle RSS MiB | peak RSS MiB | note |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...report.results.map(
      (r) =>
        `| ${r.scenario} | ${Math.round(r.requestsPerSec)} | ${r.ratioToBaseline === null ? '' : r.ratioToBaseline.toFixed(2)} | ${r.p50Ms} | ${r.p99Ms} | ${r.cpuUsPerRequest === undefined ? '' : r.cpuUsPerRequest.toFixed(1)} | ${r.heapKiBPerRequest === undefined ? '' : r.heapKiBPerRequest.toFixed(1)} | ${r.errors} | ${r.non2xx} | ${r.idleRssMiB ?? ''} | ${r.peakRssMiB ?? 'n/a'} | ${r.note ?? ''} |`,
    ),
    '',
    '| target | result | measured |',
    '|---|---|---|',
    ...report.checks.map((c) => `| ${c.check} | ${c.pass ? 'met' : '**missed**'} | ${c.detail} |`),
  ];
  return lines.join('\n') + '\n';
}

export function writeReport(report: BenchReport): string {
  const dir = resolve(root, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const markdown = toMarkdown(report);
  writeFileSync(resolve(dir, 'latest.json'), JSON.stringify(report, null, 2) + '\n');
  writeFileSync(resolve(dir, 'latest.md'), markdown);
  return markdown;
}
