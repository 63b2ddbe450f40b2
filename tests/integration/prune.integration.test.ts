import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import pg from 'pg';
import { prunePings } from '../../infrastructure/postgres/prune-pings.js';
import { openTestDatabase, type DatabaseFixture } from '../support/backend-fixtures.js';
import { PgBouncerProcess } from '../support/pgbouncer-process.js';

const root = resolve(import.meta.dirname, '../..');
const RETENTION_DAYS = 30;
/** Small batches, so a few thousand rows cross many batch boundaries. */
const BATCH_ROWS = 500;

/** `count` pings `ageDays` old and older, one second apart, oldest first (ids grow with time). */
async function insertAged(fixture: DatabaseFixture, count: number, ageDays: number): Promise<void> {
  await fixture.database.knex.raw(
    `insert into pings (created_at, note)
     select now() - make_interval(days => ?) - make_interval(secs => ? - n), 'aged'
     from generate_series(1, ?) as n`,
    [ageDays, count, count],
  );
}

const rows = async (fixture: DatabaseFixture) =>
  Number((await fixture.database.knex.raw('select count(*)::int as n from pings')).rows[0].n);
const newestId = async (fixture: DatabaseFixture) =>
  Number((await fixture.database.knex.raw('select max(id)::int as id from pings')).rows[0].id);

function prune(fixture: DatabaseFixture, settings: { retentionDays?: number; batchRows?: number } = {}) {
  return prunePings(fixture.database.knex, {
    retentionDays: RETENTION_DAYS,
    statementTimeoutMs: fixture.database.statementTimeoutMs,
    batchRows: BATCH_ROWS,
    ...settings,
  });
}

describe('retention: prunePings on PostgreSQL (integration)', function () {
  this.timeout(60_000);
  let fixture: DatabaseFixture;

  beforeEach(async () => {
    fixture = await openTestDatabase('postgresql');
  });
  afterEach(() => fixture?.close());

  it('deletes exactly the rows past the retention, in batches, and a second run removes nothing', async () => {
    await insertAged(fixture, 3_210, RETENTION_DAYS + 5);
    await insertAged(fixture, 400, RETENTION_DAYS - 1);
    const first = await prune(fixture);
    expect(first.removed).to.equal(3_210);
    expect(first.batches, 'batches of 500: the expired rows, then one of young rows').to.equal(
      Math.ceil(3_210 / 500) + 1,
    );
    const left = await fixture.database.knex.raw(
      `select count(*)::int as n, min(created_at) > now() - make_interval(days => ?) as all_young from pings`,
      [RETENTION_DAYS],
    );
    expect(left.rows[0]).to.deep.equal({ n: 400, all_young: true });
    expect((await prune(fixture)).removed).to.equal(0);
  });

  it('never deletes the newest row, however old: GET /ping and the history keep one ping', async () => {
    await insertAged(fixture, 1_200, RETENTION_DAYS + 90);
    const newest = await newestId(fixture);
    expect((await prune(fixture)).removed).to.equal(1_199);
    expect(await rows(fixture)).to.equal(1);
    expect(await newestId(fixture)).to.equal(newest);
    expect((await prune(fixture)).removed).to.equal(0);
  });

  it('is safe while instances write: every acknowledged write survives, nothing waits past its budget', async () => {
    await insertAged(fixture, 6_000, RETENTION_DAYS + 2);
    let writing = true;
    const written: number[] = [];
    const writers = Array.from({ length: 4 }, async () => {
      while (writing) written.push((await fixture.store.record('written during the prune')).id);
    });
    try {
      // The writers run from before the first batch until after the last.
      while (written.length < 20) await new Promise((r) => setTimeout(r, 5));
      const result = await prune(fixture);
      expect(result.removed).to.equal(6_000);
    } finally {
      writing = false;
      await Promise.all(writers);
    }
    const kept = await fixture.database.knex('pings').whereIn('id', written).count<{ n: string }[]>({ n: '*' });
    expect(Number(kept[0]!.n)).to.equal(written.length);
    expect(await rows(fixture)).to.equal(written.length);
  });

  it('removes old rows inserted out of order once the rows before them have expired, never a young one', async () => {
    await insertAged(fixture, 100, RETENTION_DAYS - 2); // young, lower ids
    await insertAged(fixture, 50, RETENTION_DAYS + 10); // old rows inserted late (higher ids)
    await insertAged(fixture, 10, 0);
    const batchRows = 100; // the first batch is exactly the young rows
    expect((await prune(fixture, { batchRows })).removed, 'the walk stops at the young rows').to.equal(0);
    expect(await rows(fixture)).to.equal(160);
    // Three days later (a shorter retention here), the rows in front have expired too.
    expect((await prune(fixture, { batchRows, retentionDays: RETENTION_DAYS - 3 })).removed).to.equal(150);
    expect(await rows(fixture)).to.equal(10);
  });
});

describe('retention: prunePings through pgbouncer in transaction mode (integration)', function () {
  this.timeout(60_000);
  let bouncer: PgBouncerProcess;
  let fixture: DatabaseFixture;

  before(async () => {
    bouncer = await PgBouncerProcess.start();
    fixture = await openTestDatabase('postgresql', {}, (uri) =>
      Object.assign(new URL(uri), { host: `127.0.0.1:${bouncer.port}` }).toString(),
    );
  });
  after(async () => {
    await fixture?.close();
    await bouncer?.stop();
  });

  it('prunes in batches, each with its own budget, and leaves no session state on the pooled connections', async () => {
    await insertAged(fixture, 2_345, RETENTION_DAYS + 1);
    await insertAged(fixture, 5, 1);
    const result = await prune(fixture);
    expect(result.removed).to.equal(2_345);
    expect(result.batches).to.be.greaterThan(2);
    expect(await rows(fixture)).to.equal(5);
    // Every server connection the batches used is back in the pool without their SET LOCAL.
    const client = new pg.Client({ connectionString: fixture.env.POSTGRES_URI });
    await client.connect();
    try {
      for (let i = 0; i < 5; i++) {
        expect((await client.query('show statement_timeout')).rows[0].statement_timeout).to.equal('0');
      }
    } finally {
      await client.end();
    }
  });
});

describe('`npm run prune` (interfaces/startup/prune.ts)', function () {
  this.timeout(60_000);
  let fixture: DatabaseFixture;

  before(async () => {
    fixture = await openTestDatabase('postgresql');
  });
  after(() => fixture?.close());

  const run = (env: NodeJS.ProcessEnv) => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'interfaces/startup/prune.ts'], {
      cwd: root,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, LOG_LEVEL: 'info', ...env },
      timeout: 45_000,
    });
    const lines = result.stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    return { status: result.status, stderr: result.stderr, done: lines.find((line) => 'removed' in line) };
  };

  it('exits 0 with one line saying how many rows went; the second run removes none', async () => {
    await insertAged(fixture, 1_500, 8);
    await insertAged(fixture, 3, 0);
    const env = { POSTGRES_URI: String(fixture.env.POSTGRES_URI), RETENTION_DAYS: '7' };
    const first = run(env);
    expect(first.status, first.stderr).to.equal(0);
    expect(first.done).to.include({ removed: 1_500, retentionDays: 7, msg: 'pruned 1500 pings older than 7 days' });
    const second = run(env);
    expect(second.status, second.stderr).to.equal(0);
    expect(second.done).to.include({ removed: 0 });
    expect(await rows(fixture)).to.equal(3);
  });

  it('a bad RETENTION_DAYS: exit 1, one line naming it, nothing removed', async () => {
    const before = await rows(fixture);
    const bad = run({ POSTGRES_URI: String(fixture.env.POSTGRES_URI), RETENTION_DAYS: '0' });
    expect(bad.status).to.equal(1);
    expect(bad.stderr.trim().split('\n')).to.have.length(1);
    expect(bad.stderr).to.match(/^invalid configuration: RETENTION_DAYS /);
    expect(await rows(fixture)).to.equal(before);
  });
});
