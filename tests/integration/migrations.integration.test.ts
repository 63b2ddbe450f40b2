import { expect } from 'chai';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import { PingDatabase } from '../../infrastructure/postgres/ping-database.js';
import { MIGRATION_LOCK_KEY, runMigrations } from '../../infrastructure/postgres/run-migrations.js';
import { TEST_DATABASE_BUDGETS } from '../support/backend-fixtures.js';
import { silentLogger } from '../support/test-doubles.js';
import { waitUntil } from '../../harness/wait-until.js';
import { createScratchDatabase } from '../support/test-servers.js';
import { PgBouncerProcess } from '../support/pgbouncer-process.js';

const root = resolve(import.meta.dirname, '../..');
/** Every migration of migration-source.ts, in order. */
const ALL_MIGRATIONS = ['20260101000000_create_pings', '20261201000000_vacuum_after_prune'];

describe('migrations on PostgreSQL (integration)', function () {
  const scratches: Array<{ drop(): Promise<void> }> = [];

  after(async function () {
    await Promise.all(scratches.map((s) => s.drop()));
  });

  async function freshDatabase(): Promise<string> {
    const scratch = await createScratchDatabase('ping_service_migrations');
    scratches.push(scratch);
    return scratch.uri;
  }

  it('lets replicas that start together on a fresh database all succeed, the schema created once', async function () {
    const uri = await freshDatabase();
    const replicas = Array.from({ length: 4 }, () =>
      PingDatabase.open({ ...TEST_DATABASE_BUDGETS, uri, dataDir: '.' }, silentLogger),
    );
    try {
      const applied = await Promise.all(
        replicas.map((r) => runMigrations(r.knex, { contentionBudgetMs: 20_000, advisoryLock: true })),
      );
      expect(applied.flat()).to.deep.equal(ALL_MIGRATIONS);
      const columns = await replicas[0]!
        .knex('information_schema.columns')
        .where({ table_name: 'pings' })
        .orderBy('ordinal_position')
        .select('column_name', 'data_type', 'is_nullable', 'column_default');
      expect(columns.map((c) => [c.column_name, c.data_type, c.is_nullable])).to.deep.equal([
        ['id', 'bigint', 'NO'],
        ['created_at', 'timestamp with time zone', 'NO'],
        ['note', 'text', 'YES'],
      ]);
      expect(columns[0].column_default).to.match(/^nextval\(/);
      expect(columns[1].column_default).to.equal('CURRENT_TIMESTAMP');
      // Vacuumed after each prune, not once a fifth of the table is dead (20261201000000).
      const options = await replicas[0]!.knex.raw("select reloptions from pg_class where relname = 'pings'");
      expect(options.rows[0].reloptions).to.have.members([
        'autovacuum_vacuum_scale_factor=0',
        'autovacuum_vacuum_threshold=10000',
      ]);
    } finally {
      await Promise.all(replicas.map((r) => r.close()));
    }
  });

  function migrate(env: NodeJS.ProcessEnv) {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'interfaces/startup/migrate.ts'], {
      cwd: root,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, LOG_LEVEL: 'info', ...env },
      timeout: 60_000,
    });
    return { status: run.status, stdout: run.stdout, stderr: run.stderr };
  }

  it('`npm run migrate` (interfaces/startup/migrate.ts) migrates, then finds the schema current', async function () {
    const uri = await freshDatabase();
    const first = migrate({ POSTGRES_URI: uri });
    expect(first.status, first.stderr).to.equal(0);
    expect(first.stdout).to.include('migrations applied').and.include('20260101000000_create_pings');
    const second = migrate({ POSTGRES_URI: uri });
    expect(second.status, second.stderr).to.equal(0);
    expect(second.stdout).to.include('schema is current');
  });

  it('`npm run migrate` exits 1 with one line, and no password, when the server is unreachable', function () {
    const run = migrate({ POSTGRES_URI: 'postgres://user:s3cret@127.0.0.1:1/db' });
    expect(run.status).to.equal(1);
    expect(run.stderr.trim().split('\n')).to.have.length(1);
    expect(run.stderr).to.match(/^migration failed: /);
    expect(run.stdout + run.stderr).to.not.include('s3cret');
  });
});

describe('migrations on PostgreSQL: a migrator killed with kill -9', function () {
  this.timeout(60_000);
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let holder: ChildProcess | null = null;

  before(async () => {
    scratch = await createScratchDatabase('ping_service_migrations_kill');
  });

  after(async () => {
    if (holder?.exitCode === null) holder.kill('SIGKILL');
    await scratch?.drop();
  });

  /**
   * Another replica, mid-migration, as a separate process: it holds the migration lock (the
   * advisory lock, and knex's own lock row set as knex sets it while migrating) and then waits.
   */
  async function startMigratingReplica(uri: string): Promise<ChildProcess> {
    const script = `
      const pg = require('pg');
      const client = new pg.Client({ connectionString: process.env.URI });
      (async () => {
        await client.connect();
        await client.query('select pg_advisory_lock($1)', [process.env.KEY]);
        await client.query('create table if not exists knex_migrations_lock (index serial primary key, is_locked integer)');
        await client.query('insert into knex_migrations_lock (is_locked) values (1)');
        process.stdout.write('holding\\n');
        setInterval(() => {}, 1000);
      })();`;
    const child = spawn(process.execPath, ['-e', script], {
      cwd: root,
      env: { PATH: process.env.PATH, URI: uri, KEY: String(MIGRATION_LOCK_KEY) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
    expect(line).to.equal('holding');
    return child;
  }

  it('waits while it holds the lock, and migrates once it is killed: its lock never blocks the next start', async function () {
    holder = await startMigratingReplica(scratch.uri);
    const replica = PingDatabase.open({ ...TEST_DATABASE_BUDGETS, uri: scratch.uri, dataDir: '.' }, silentLogger);
    try {
      const waits: unknown[] = [];
      const migrating = runMigrations(replica.knex, {
        contentionBudgetMs: 20_000,
        advisoryLock: true,
        onContention: (reason) => waits.push(reason),
      });
      // 10 s: the migrator reports contention on its first try; room for a busy machine.
      await waitUntil(() => waits.length > 0, { timeoutMs: 10_000, what: 'waiting for the other migrator' });
      holder.kill('SIGKILL');
      expect(await migrating).to.deep.equal(ALL_MIGRATIONS);
      const [lock] = await replica.knex('knex_migrations_lock').select('is_locked');
      expect(lock.is_locked, "knex's lock row is free again").to.equal(0);
    } finally {
      await replica.close();
    }
  });
});

describe('migrations through pgbouncer in transaction mode', function () {
  this.timeout(60_000);
  let bouncer: PgBouncerProcess;
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;

  before(async () => {
    [bouncer, scratch] = await Promise.all([
      PgBouncerProcess.start(),
      createScratchDatabase('ping_service_migrations_bouncer'),
    ]);
  });

  after(async () => {
    await bouncer?.stop();
    await scratch?.drop();
  });

  // A session-level advisory lock taken through transaction pooling stays on whichever server
  // connection ran that statement, and the unlock may run on another: the next start would then
  // wait its whole budget. The lock must live and die with one transaction.
  it('leaves no lock behind: replicas together, then a restart, each migrate within a short budget', async function () {
    const uri = bouncer.route(scratch.uri);
    const open = () => PingDatabase.open({ ...TEST_DATABASE_BUDGETS, uri, dataDir: '.' }, silentLogger);
    const replicas = Array.from({ length: 3 }, open);
    try {
      const applied = await Promise.all(
        replicas.map((r) => runMigrations(r.knex, { contentionBudgetMs: 10_000, advisoryLock: true })),
      );
      expect(applied.flat()).to.deep.equal(ALL_MIGRATIONS);
    } finally {
      await Promise.all(replicas.map((r) => r.close()));
    }
    for (let restart = 0; restart < 3; restart++) {
      const replica = open();
      try {
        expect(await runMigrations(replica.knex, { contentionBudgetMs: 3_000, advisoryLock: true })).to.deep.equal([]);
      } finally {
        await replica.close();
      }
    }
  });
});
