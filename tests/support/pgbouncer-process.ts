import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asPostgresUser } from './postgres-user.js';
import { freePort } from '../../harness/free-port.js';
import { waitUntil } from '../../harness/wait-until.js';
import { testPostgresUri } from './test-servers.js';

const PGBOUNCER = process.env.PGBOUNCER_BIN || '/usr/sbin/pgbouncer';

/**
 * A private pgbouncer in transaction pooling mode (what a PaaS puts in front of PostgreSQL), on a
 * free port, forwarding every database name to the test PostgreSQL. It refuses to run as root,
 * so under root it runs as the `postgres` user. Its files live in a temp dir removed by `stop()`.
 */
export class PgBouncerProcess {
  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly port: number,
  ) {}

  static async start(upstreamUri: string = testPostgresUri): Promise<PgBouncerProcess> {
    const upstream = new URL(upstreamUri);
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'ping-service-pgbouncer-'));
    chmodSync(dir, 0o755);
    const user = decodeURIComponent(upstream.username || 'postgres');
    const password = decodeURIComponent(upstream.password);
    writeFileSync(join(dir, 'users.txt'), `"${user}" "${password}"\n`, { mode: 0o644 });
    writeFileSync(
      join(dir, 'pgbouncer.ini'),
      [
        '[databases]',
        // Any database name the client asks for, on the upstream server, as the same user.
        `* = host=${upstream.hostname} port=${upstream.port || 5432}`,
        '[pgbouncer]',
        'listen_addr = 127.0.0.1',
        `listen_port = ${port}`,
        'unix_socket_dir =',
        'pool_mode = transaction',
        `auth_type = ${password ? 'plain' : 'trust'}`,
        `auth_file = ${join(dir, 'users.txt')}`,
        'max_client_conn = 500',
        'default_pool_size = 40',
        // What a PaaS pooler typically lets through; statement_timeout is NOT among them.
        'ignore_startup_parameters = extra_float_digits',
        'logfile =',
        'pidfile =',
      ].join('\n') + '\n',
      { mode: 0o644 },
    );
    const asUser = asPostgresUser();
    const output: string[] = [];
    const child = spawn(PGBOUNCER, [join(dir, 'pgbouncer.ini')], { stdio: ['ignore', 'pipe', 'pipe'], ...asUser });
    child.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const bouncer = new PgBouncerProcess(child, dir, port);
    let spawnError: Error | null = null;
    child.once('error', (error) => (spawnError = error));
    const up = () => output.join('').includes('process up');
    // 10 s: pgbouncer starts in milliseconds; this bounds a machine busy with other suites.
    await waitUntil(() => up() || spawnError !== null || child.exitCode !== null, {
      timeoutMs: 10_000,
      intervalMs: 25,
      what: 'pgbouncer to log "process up"',
    }).catch(() => undefined);
    if (up()) return bouncer;
    await bouncer.stop();
    throw new Error(`pgbouncer (${PGBOUNCER}) did not start: ${spawnError ?? output.join('').trim()}`);
  }

  /** `uri` (a database on the upstream server) rewritten to go through this pgbouncer. */
  route(uri: string): string {
    const url = new URL(uri);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString();
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGKILL');
      await once(this.child, 'exit');
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
