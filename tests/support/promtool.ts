import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { requireTool } from './system-tools.js';

export interface PromtoolResult {
  readonly status: number | null;
  /** stdout and stderr together: promtool prints problems on either. */
  readonly output: string;
}

/**
 * Runs promtool: PROMTOOL when set, else the one of .ci/system-packages (Debian's `prometheus`).
 * A missing promtool fails the test with how to get it, never skips it.
 */
export function promtool(args: readonly string[], input?: string, cwd?: string): PromtoolResult {
  const override = process.env.PROMTOOL;
  if (override && !existsSync(override)) throw new Error(`promtool is missing at ${override} (PROMTOOL)`);
  const run = spawnSync(override || requireTool('promtool'), args, { input, cwd, encoding: 'utf8', timeout: 60_000 });
  if (run.error) throw run.error;
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** Metric names a PromQL expression selects: every name written before a `{` or a `[`. */
export function metricNamesIn(expr: string): string[] {
  return [...expr.matchAll(/([a-zA-Z_:][\w:]*)\s*[{[]/g)].map((match) => match[1]!);
}
