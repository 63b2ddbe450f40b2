import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { waitUntilReady } from '../harness/wait-until-ready.js';
import { pinnedTo } from './wrk.js';

export const root = resolve(import.meta.dirname, '..');

/** The node arguments of the image's CMD, so the benchmark measures what production runs. */
export function imageNodeArgs(): string[] {
  const dockerfile = readFileSync(resolve(root, 'Dockerfile'), 'utf8');
  const cmd = [...dockerfile.matchAll(/^CMD\s+(\[.*\])\s*$/gm)].at(-1)?.[1];
  if (!cmd) throw new Error('no exec-form CMD found in the Dockerfile');
  const args = JSON.parse(cmd) as string[];
  if (args[0] !== 'node') throw new Error(`the Dockerfile's CMD does not start with node: ${cmd}`);
  return args.slice(1);
}

/** The image's ENV NODE_OPTIONS, if it sets one (memory flags live there). */
export function imageNodeOptions(): string | undefined {
  const dockerfile = readFileSync(resolve(root, 'Dockerfile'), 'utf8');
  const match = /^ENV\s+.*NODE_OPTIONS="([^"]*)"/m.exec(dockerfile) ?? /^ENV\s+NODE_OPTIONS[= ](\S+)/m.exec(dockerfile);
  return match?.[1];
}

/** The node that runs the servers: BENCH_NODE (e.g. the image's exact Node), else this one. */
export const benchNode = process.env.BENCH_NODE ?? process.execPath;

export class BenchProcess {
  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
    readonly url: string,
    private readonly stdout: { text: string },
  ) {}

  static async start(
    name: string,
    args: string[],
    env: Record<string, string>,
    port: number,
    readyPath: string,
    readyTimeoutMs = 60_000,
  ) {
    // Servers on core 1, wrk on core 0: the load generator never competes with the server.
    const [command, ...prefix] = [...pinnedTo(1), benchNode];
    const child = spawn(command!, [...prefix, ...args], {
      cwd: root,
      env: { PATH: process.env.PATH, ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    const stdout = { text: '' };
    child.stdout!.on('data', (chunk) => (stdout.text += chunk));
    const url = `http://127.0.0.1:${port}`;
    await waitUntilReady(child, url + readyPath, () => `${name}: ${stderr}`, readyTimeoutMs);
    return new BenchProcess(name, child, url, stdout);
  }

  /** What the process has written to stdout so far (V8's traces go there); `from` skips the start. */
  stdoutText(from = 0): string {
    return this.stdout.text.slice(from);
  }

  /** Resets the kernel's peak-RSS mark, so the next reading is this scenario's peak. */
  resetPeakRss(): void {
    try {
      writeFileSync(`/proc/${this.child.pid}/clear_refs`, '5');
    } catch {
      // not Linux, or not allowed: the peak then covers the whole run
    }
  }

  /** Peak resident set size in MiB (VmHWM) since the last reset, or null off Linux. */
  peakRssMiB(): number | null {
    return this.status('VmHWM');
  }

  /** Resident set size now, in MiB (VmRSS), or null off Linux. */
  rssMiB(): number | null {
    return this.status('VmRSS');
  }

  private status(field: string): number | null {
    try {
      const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
      const kb = Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1]);
      return Number.isFinite(kb) ? Math.round((kb / 1024) * 10) / 10 : null;
    } catch {
      return null;
    }
  }

  /** CPU seconds the process has used (user + system), from /proc; 0 off Linux. */
  cpuSeconds(): number {
    try {
      const fields = readFileSync(`/proc/${this.child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
    } catch {
      return 0;
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    this.child.kill('SIGTERM');
    await once(this.child, 'exit');
  }
}
