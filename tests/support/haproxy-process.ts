import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../harness/free-port.js';
import { waitUntil } from '../../harness/wait-until.js';
import { requireTool } from './system-tools.js';

export interface Backend {
  readonly name: string;
  readonly port: number;
}

/**
 * A private HAProxy in front of the instances, routing as a Kubernetes Service does: only to the
 * instances whose readiness passes (`/readyz`, checked every 500 ms, out after one failure, back
 * after one success) and with no retries, as kube-proxy makes none. Its stats page says which
 * instances it routes to.
 */
export class HaproxyProcess {
  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly port: number,
    private readonly statsPort: number,
    private readonly stderr: string[],
  ) {}

  static async start(backends: readonly Backend[]): Promise<HaproxyProcess> {
    const haproxy = requireTool('haproxy');
    const [port, statsPort] = [await freePort(), await freePort()];
    const dir = mkdtempSync(join(tmpdir(), 'ping-service-haproxy-'));
    const config = join(dir, 'haproxy.cfg');
    writeFileSync(
      config,
      [
        'global',
        '  maxconn 8192',
        'defaults',
        '  mode http',
        '  timeout connect 1s',
        '  timeout client 30s',
        '  timeout server 30s',
        '  retries 0',
        '  no option redispatch',
        'frontend api',
        `  bind 127.0.0.1:${port}`,
        '  default_backend fleet',
        'backend fleet',
        '  balance roundrobin',
        '  option httpchk GET /readyz',
        '  http-check expect status 200',
        '  default-server inter 500ms fall 1 rise 1',
        ...backends.map((backend) => `  server ${backend.name} 127.0.0.1:${backend.port} check`),
        'frontend stats',
        `  bind 127.0.0.1:${statsPort}`,
        '  stats enable',
        '  stats uri /stats',
        '',
      ].join('\n'),
    );
    const stderr: string[] = [];
    const child = spawn(haproxy, ['-db', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
    const balancer = new HaproxyProcess(child, dir, port, statsPort, stderr);
    // A fresh HAProxy needs a first check per server; a second is short on a 2-core machine.
    await waitUntil(async () => (await balancer.serverStates().catch(() => null))?.size === backends.length, {
      timeoutMs: 10_000,
      what: 'haproxy listening with its stats page',
      describe: () => stderr.join(''),
    });
    return balancer;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Each server's state as HAProxy sees it: `UP`, `DOWN`, ... (the stats CSV's status column). */
  async serverStates(): Promise<Map<string, string>> {
    const csv = await (await fetch(`http://127.0.0.1:${this.statsPort}/stats;csv`)).text();
    const [header, ...rows] = csv.replace(/^# /, '').trim().split('\n');
    const columns = header!.split(',');
    const [proxy, server, status] = ['pxname', 'svname', 'status'].map((name) => columns.indexOf(name));
    const states = new Map<string, string>();
    for (const row of rows.map((line) => line.split(','))) {
      if (row[proxy!] === 'fleet' && !['FRONTEND', 'BACKEND'].includes(row[server!]!)) {
        states.set(row[server!]!, row[status!]!);
      }
    }
    return states;
  }

  /** Resolves once HAProxy routes to `server` (its readiness passed a check). */
  async waitUntilRouted(server: string, timeoutMs: number): Promise<void> {
    await waitUntil(async () => (await this.serverStates()).get(server)?.startsWith('UP'), {
      timeoutMs,
      what: `haproxy routing to ${server}`,
      describe: () => this.stderr.join(''),
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      this.child.kill('SIGTERM');
      await once(this.child, 'exit');
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
