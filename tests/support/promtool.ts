import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's `prometheus` package; .ci/install-system-packages.sh installs it. */
const PROMTOOL = process.env.PROMTOOL ?? '/usr/bin/promtool';

export interface PromtoolResult {
  readonly status: number | null;
  /** stdout and stderr together: promtool prints problems on either. */
  readonly output: string;
}

/** Runs promtool; a missing promtool fails the test with how to get it, never skips it. */
export function promtool(args: readonly string[], input?: string, cwd?: string): PromtoolResult {
  if (!existsSync(PROMTOOL)) {
    throw new Error(
      `promtool is missing at ${PROMTOOL}: apt-get install prometheus (.ci/install-system-packages.sh), or set PROMTOOL`,
    );
  }
  const run = spawnSync(PROMTOOL, args, { input, cwd, encoding: 'utf8', timeout: 60_000 });
  if (run.error) throw run.error;
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** Metric names a PromQL expression selects: every name written before a `{` or a `[`. */
export function metricNamesIn(expr: string): string[] {
  return [...expr.matchAll(/([a-zA-Z_:][\w:]*)\s*[{[]/g)].map((match) => match[1]!);
}
