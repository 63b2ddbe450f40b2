import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { asPostgresUser } from './postgres-user.js';
import { freePort } from '../../harness/free-port.js';
import { waitUntil } from '../../harness/wait-until.js';

/** PG_BIN_DIR, else the newest Debian install (`/usr/lib/postgresql/<major>/bin`). */
const BIN = process.env.PG_BIN_DIR || newestDebianPostgres();

function newestDebianPostgres(): string {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)) : [];
  const newest = majors.sort((a, b) => Number(b) - Number(a))[0] ?? '15';
  return join(root, newest, 'bin');
}
const run = promisify(execFile);

/** Settings of both servers: private, fast to start, nothing on the shared server's socket. */
const COMMON = [
  'listen_addresses=127.0.0.1',
  'fsync=off', // a test cluster: speed over crash safety of the host
  'max_wal_senders=5',
  'wal_level=replica',
  'hot_standby=on',
];

export interface PgNode {
  readonly name: 'primary' | 'standby';
  readonly port: number;
  readonly dataDir: string;
}

/**
 * A PostgreSQL primary and a synchronous streaming standby on private ports, as Stolon keeps
 * them: initdb and `pg_basebackup -R` as the postgres user, `synchronous_standby_names` on the
 * primary only (so the promoted standby does not wait for a standby it does not have). A commit
 * the primary acknowledged is therefore on the standby. `close()` stops both (immediate) and
 * removes the data.
 */
export class PostgresPair {
  private constructor(
    private readonly dir: string,
    readonly primary: PgNode,
    readonly standby: PgNode,
  ) {}

  static async start(): Promise<PostgresPair> {
    const dir = mkdtempSync(join(tmpdir(), 'ping-service-pgpair-'));
    chmodSync(dir, 0o755);
    const user = asPostgresUser();
    if (user.uid !== undefined) chownSync(dir, user.uid, user.gid!);
    const [primaryPort, standbyPort] = await Promise.all([freePort(), freePort()]);
    const pair = new PostgresPair(
      dir,
      { name: 'primary', port: primaryPort, dataDir: join(dir, 'primary') },
      { name: 'standby', port: standbyPort, dataDir: join(dir, 'standby') },
    );
    try {
      await pg_('initdb', ['-D', pair.primary.dataDir, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
      await pair.startNode(pair.primary, ["synchronous_standby_names='*'"]);
      await pg_('pg_basebackup', [
        ...['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres'],
        ...['-D', pair.standby.dataDir, '-R', '-X', 'stream', '--no-sync'],
      ]);
      await pair.startNode(pair.standby, []);
      await pair.awaitSyncStandby();
      return pair;
    } catch (error) {
      await pair.close();
      throw error;
    }
  }

  uri(node: PgNode, database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${node.port}/${database}`;
  }

  /** `pg_ctl stop -m immediate`: the primary dies as on a crash, without a shutdown checkpoint. */
  async crash(node: PgNode): Promise<void> {
    await pg_('pg_ctl', ['stop', '-D', node.dataDir, '-m', 'immediate', '-w']);
  }

  /** Resolves once the standby has left recovery and takes writes. */
  async promote(): Promise<void> {
    await pg_('pg_ctl', ['promote', '-D', this.standby.dataDir, '-w', '-t', '30']);
  }

  /** One query on a fresh connection. */
  async query<R extends pg.QueryResultRow>(node: PgNode, sql: string, values?: unknown[]): Promise<R[]> {
    const client = new pg.Client({ connectionString: this.uri(node), connectionTimeoutMillis: 5_000 });
    client.on('error', () => {});
    await client.connect();
    try {
      return (await client.query<R>(sql, values)).rows;
    } finally {
      await client.end();
    }
  }

  async close(): Promise<void> {
    for (const node of [this.primary, this.standby]) {
      await pg_('pg_ctl', ['stop', '-D', node.dataDir, '-m', 'immediate', '-w']).catch(() => undefined);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async startNode(node: PgNode, extra: readonly string[]): Promise<void> {
    const options = [`-p ${node.port}`, `-k ${this.dir}`, ...[...COMMON, ...extra].map((setting) => `-c ${setting}`)];
    await pg_('pg_ctl', [
      'start',
      '-D',
      node.dataDir,
      '-w',
      '-t',
      '60',
      '-l',
      `${node.dataDir}.log`,
      '-o',
      options.join(' '),
    ]);
  }

  private async awaitSyncStandby(): Promise<void> {
    const sync = async () => {
      const rows = await this.query<{ sync_state: string }>(this.primary, 'select sync_state from pg_stat_replication');
      return rows.some((r) => r.sync_state === 'sync');
    };
    // 30 s: the standby streams from a fresh base backup on the same machine; this bounds a busy one.
    await waitUntil(sync, { timeoutMs: 30_000, intervalMs: 100, what: 'the standby to become synchronous' });
  }
}

/** A PostgreSQL tool as the postgres user; its output joins the error when it fails. */
async function pg_(tool: string, args: readonly string[]): Promise<void> {
  try {
    await run(join(BIN, tool), args, { ...asPostgresUser(), cwd: '/', timeout: 90_000 });
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    throw new Error(`${tool} failed: ${(stderr || stdout || String(error)).trim().slice(0, 500)}`);
  }
}
