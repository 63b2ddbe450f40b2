import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from '../../harness/free-port.js';
import { waitUntilReady } from '../../harness/wait-until-ready.js';
import { buildLikeTheImage, imageCommand } from './image-build.js';

const root = resolve(import.meta.dirname, '../..');

/**
 * Load tests send hundreds of writes from one address: the limiter runs, and never refuses them,
 * unless the test sets a limit of its own.
 */
const TEST_WRITES = { WRITE_RATE_LIMIT_PER_MINUTE: '1000000' };

/**
 * `env.PORT` or a free port, and a metrics port of its own (never the default 9464: tests, and
 * other checkouts, run side by side).
 */
async function portsOf(env: Record<string, string>) {
  const port = Number(env.PORT ?? (await freePort()));
  const metricsPort = Number(env.METRICS_PORT ?? (await freePort()));
  return { port, metricsPort, env: { PORT: String(port), METRICS_PORT: String(metricsPort) } };
}

/**
 * The real service as a child process (`node --import tsx interfaces/startup/main.ts`), as production
 * runs it but from source: for the tests that need signals, several instances or real sockets.
 */
export class ServiceProcess {
  readonly logs: Array<Record<string, unknown>> = [];
  readonly stderr: string[] = [];
  private exited: Promise<number | null>;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    /** The metrics listener's port (METRICS_PORT). */
    readonly metricsPort: number,
  ) {
    this.exited = once(child, 'exit').then(([code]) => code as number | null);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        this.logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        this.logs.push({ raw: line });
      }
    });
    createInterface({ input: child.stderr! }).on('line', (line) => this.stderr.push(line));
  }

  /** `readyTimeoutMs`: the embedded store's first start (initdb in WebAssembly) is slow on a busy machine. */
  static async start(env: Record<string, string>, readyTimeoutMs = 30_000): Promise<ServiceProcess> {
    const ports = await portsOf(env);
    const child = spawn(process.execPath, ['--import', 'tsx', 'interfaces/startup/main.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', ...TEST_WRITES, ...env, ...ports.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const service = new ServiceProcess(child, ports.port, ports.metricsPort);
    await service.waitUntilReady(readyTimeoutMs);
    return service;
  }

  /**
   * The service as the image starts it: the Dockerfile's CMD and ENV (NODE_ENV=production, the
   * heap caps, the Sentry preload) on the built output (image-build.ts), on `env.PORT` if given,
   * so that a replacement can take a stopped instance's place.
   */
  static async startAsImage(env: Record<string, string>, readyTimeoutMs = 30_000): Promise<ServiceProcess> {
    const dir = buildLikeTheImage();
    const { argv, env: imageEnv } = imageCommand();
    const ports = await portsOf(env);
    // The image runs with NODE_ENV=production, which refuses open writes unless declared.
    const writes = env.WRITE_TOKENS ? TEST_WRITES : { ...TEST_WRITES, PUBLIC_WRITES: 'true' };
    const child = spawn(process.execPath, argv.slice(1), {
      cwd: dir,
      env: { PATH: process.env.PATH, ...imageEnv, LOG_LEVEL: 'warn', ...writes, ...env, ...ports.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const service = new ServiceProcess(child, ports.port, ports.metricsPort);
    await service.waitUntilReady(readyTimeoutMs);
    return service;
  }

  /**
   * Runs an entry point (`interfaces/startup/main.ts`, `interfaces/startup/migrate.ts`) that is expected to stop
   * by itself, and resolves to its exit code and everything it printed. Killed after `timeoutMs`.
   */
  static async runToExit(
    env: Record<string, string>,
    script = 'interfaces/startup/main.ts',
    timeoutMs = 30_000,
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const metricsPort = env.METRICS_PORT ?? String(await freePort());
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: root,
      env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', METRICS_PORT: metricsPort, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const [code] = (await once(child, 'exit')) as [number | null];
    clearTimeout(timer);
    return { code, stdout, stderr };
  }

  get pid(): number {
    return this.child.pid!;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The metrics listener: `${metricsUrl}/metrics` is the scrape. */
  get metricsUrl(): string {
    return `http://127.0.0.1:${this.metricsPort}`;
  }

  /** Sends a signal and resolves to the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill(signal);
    return this.exited;
  }

  /** Whether the process is still running (it has not exited). */
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get exitCode(): Promise<number | null> {
    return this.exited;
  }

  private async waitUntilReady(timeoutMs: number): Promise<void> {
    await waitUntilReady(this.child, `${this.url}/readyz`, () => `the service: ${this.stderr.join(' ')}`, timeoutMs);
  }
}
