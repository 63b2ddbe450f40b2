import { expect } from 'chai';
import type { Knex } from 'knex';
import { StoreUnavailableError } from '../../domain/errors.js';
import { KnexPingStore } from '../../infrastructure/postgres/knex-ping-store.js';
import { PingDatabase } from '../../infrastructure/postgres/ping-database.js';
import { openTestDatabase, TEST_DATABASE_BUDGETS, type DatabaseFixture } from '../support/backend-fixtures.js';
import { FaultProxy } from '../../harness/fault-proxy.js';
import { PgBouncerProcess } from '../support/pgbouncer-process.js';
import { createScratchDatabase } from '../support/test-servers.js';
import { freePort } from '../../harness/free-port.js';
import { silentLogger } from '../support/test-doubles.js';

async function failureOf(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure, got an answer');
}

/** How KnexPingStore fails on PostgreSQL: unavailability as StoreUnavailableError, defects as themselves. */
describe('KnexPingStore failures on PostgreSQL (integration)', function () {
  knexPingStoreFailures((uri) => uri);

  it('a read-only server (25006: a standby, a demoted primary) is StoreUnavailableError', async function () {
    const scratch = await createScratchDatabase('ping_service_ro');
    try {
      const database = PingDatabase.open({ ...TEST_DATABASE_BUDGETS, uri: scratch.uri, dataDir: '.' }, silentLogger);
      try {
        await database.start();
        await scratch.query(
          `alter database "${new URL(scratch.uri).pathname.slice(1)}" set default_transaction_read_only = on`,
        );
        await database.knex.destroy(); // new connections pick the setting up
        const readOnly = PingDatabase.open({ ...TEST_DATABASE_BUDGETS, uri: scratch.uri, dataDir: '.' }, silentLogger);
        try {
          const failure = await failureOf(new KnexPingStore(readOnly.knex, 300).record('refused'));
          expect(failure).to.be.instanceOf(StoreUnavailableError);
          expect(((failure as Error).cause as { code?: string }).code).to.equal('25006');
        } finally {
          await readOnly.close();
        }
      } finally {
        await database.close().catch(() => undefined);
      }
    } finally {
      await scratch.drop();
    }
  });
});

/** The same failures through pgbouncer in transaction pooling mode, the statement budget included. */
describe('KnexPingStore failures through pgbouncer in transaction mode (integration)', function () {
  let bouncer: PgBouncerProcess | undefined;
  before(async () => (bouncer = await PgBouncerProcess.start()));
  after(async () => bouncer?.stop());
  knexPingStoreFailures((uri) => bouncer!.route(uri));
});

function knexPingStoreFailures(route: (uri: string) => string): void {
  let db: DatabaseFixture;

  before(async function () {
    db = await openTestDatabase('postgresql', { poolMax: 2, acquireTimeoutMs: 300, statementTimeoutMs: 300 }, route);
  });

  after(async function () {
    await db?.close();
  });

  /** A transaction on a connection of its own, outside the store's pool. */
  async function holding<T>(sql: string, during: () => Promise<T>): Promise<T> {
    const other = PingDatabase.open(
      { ...TEST_DATABASE_BUDGETS, uri: db.env.POSTGRES_URI!, dataDir: '.' },
      silentLogger,
    );
    const trx = await other.knex.transaction();
    try {
      await trx.raw(sql);
      return await during();
    } finally {
      await trx.rollback();
      await other.close();
    }
  }

  it('a statement timeout (57014) is StoreUnavailableError, and the connection stays usable', async function () {
    const store = db.store;
    const failure = await holding('lock table pings in access exclusive mode', () =>
      failureOf(store.record('blocked')),
    );
    expect(failure).to.be.instanceOf(StoreUnavailableError);
    expect(((failure as Error).cause as { code?: string }).code).to.equal('57014');
    expect((await store.record('after')).note).to.equal('after');
  });

  it('no free pooled connection within the acquire timeout is StoreUnavailableError', async function () {
    const store = db.store;
    const held: Knex.Transaction[] = [];
    try {
      for (let i = 0; i < 2; i++) held.push(await db.database.knex.transaction()); // the whole pool
      const failure = await failureOf(store.list({ limit: 1 }));
      expect(failure).to.be.instanceOf(StoreUnavailableError);
      expect(((failure as Error).cause as Error).name).to.equal('KnexTimeoutError');
    } finally {
      await Promise.all(held.map((trx) => trx.rollback()));
    }
    expect(await store.list({ limit: 1 })).to.have.length.at.most(1);
  });

  it('a refused connection is StoreUnavailableError', async function () {
    const refused = PingDatabase.open(
      { ...TEST_DATABASE_BUDGETS, uri: `postgres://postgres@127.0.0.1:${await freePort()}/x`, dataDir: '.' },
      silentLogger,
    );
    try {
      const store = new KnexPingStore(refused.knex, 300);
      expect(await failureOf(store.record(null))).to.be.instanceOf(StoreUnavailableError);
      expect(await failureOf(store.list({ limit: 1 }))).to.be.instanceOf(StoreUnavailableError);
    } finally {
      await refused.close();
    }
  });

  it('a server that stops answering (packets dropped) is StoreUnavailableError, and its connection is discarded', async function () {
    const target = new URL(db.env.POSTGRES_URI!);
    const proxy = await FaultProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
    target.host = `127.0.0.1:${proxy.port}`;
    const viaProxy = PingDatabase.open(
      { ...TEST_DATABASE_BUDGETS, poolMax: 1, statementTimeoutMs: 200, uri: target.toString(), dataDir: '.' },
      silentLogger,
    );
    try {
      const store = new KnexPingStore(viaProxy.knex, 200);
      await store.record('before the black hole');
      proxy.setMode('blackhole');
      expect(await failureOf(store.record('lost'))).to.be.instanceOf(StoreUnavailableError);
      proxy.setMode('pass');
      // The pool's only connection was stuck behind the lost query; a fresh one answers.
      expect((await store.record('after the black hole')).note).to.equal('after the black hole');
    } finally {
      await viaProxy.close();
      await proxy.close();
    }
  });

  it('any other error (here: a missing table) propagates as itself, not as unavailability', async function () {
    const store = db.store;
    await db.database.knex.schema.renameTable('pings', 'pings_away');
    try {
      const failure = await failureOf(store.record(null));
      expect(failure).to.not.be.instanceOf(StoreUnavailableError);
      expect((failure as { code?: string }).code).to.equal('42P01');
    } finally {
      await db.database.knex.schema.renameTable('pings_away', 'pings');
    }
  });
}
