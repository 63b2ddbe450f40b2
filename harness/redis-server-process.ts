import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { waitUntil } from './wait-until.js';

export interface RedisServerOptions {
  /** A config file read first (a sentinel's, which it also rewrites). */
  readonly configFile?: string;
  /** More arguments: `--replicaof host port`, `--sentinel`. */
  readonly args?: readonly string[];
  /** A command that runs redis-server, e.g. `taskset -c 0` to pin it to a core (the bench). */
  readonly prefix?: readonly string[];
}

/**
 * A private redis-server for fault tests: killed and restarted at will without touching the
 * machine's shared Redis. Persistence is off; it lives only as long as the test. Its working
 * directory is a temporary one, removed when it is killed: a replica still writes the RDB file
 * of a full sync there, whatever `--save` says.
 */
export class RedisServerProcess {
  private child: ChildProcess | null = null;
  private directory: string | null = null;

  private constructor(
    readonly port: number,
    private readonly options: RedisServerOptions,
  ) {}

  static async start(port?: number, options: RedisServerOptions = {}): Promise<RedisServerProcess> {
    const server = new RedisServerProcess(port ?? (await freePort()), options);
    await server.restart();
    return server;
  }

  /** Starts (again) on the same port and resolves once it accepts connections. */
  async restart(): Promise<void> {
    if (this.child) return;
    const [command, ...prefixArgs] = [...(this.options.prefix ?? []), 'redis-server'];
    this.directory ??= mkdtempSync(join(tmpdir(), 'ping-service-redis-'));
    const child = spawn(
      command!,
      [
        ...prefixArgs,
        ...(this.options.configFile ? [this.options.configFile] : []),
        ...[
          '--port',
          String(this.port),
          '--bind',
          '127.0.0.1',
          '--save',
          '',
          '--appendonly',
          'no',
          '--loglevel',
          'warning',
          '--dir',
          this.directory,
        ],
        ...(this.options.args ?? []),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let spawnError: Error | null = null;
    child.once('error', (error) => (spawnError = error));
    this.child = child;
    const gone = () => spawnError !== null || child.exitCode !== null;
    // 10 s: a redis-server starts in milliseconds; this bounds a machine busy with other suites.
    const listening = await waitUntil(async () => gone() || (await canConnect(this.port)), {
      timeoutMs: 10_000,
      what: `redis-server on port ${this.port}`,
    }).then(
      () => !gone(),
      () => false,
    );
    if (listening) return;
    this.child = null;
    if (spawnError) {
      throw new Error(`could not start redis-server (is it installed and on PATH?): ${(spawnError as Error).message}`);
    }
    child.kill('SIGKILL');
    throw new Error(`redis-server on port ${this.port} did not start`);
  }

  /** SIGKILL: the abrupt loss production sees, not a polite shutdown. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    if (this.directory) rmSync(this.directory, { recursive: true, force: true });
    this.directory = null;
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
