import { expect } from 'chai';
import knex, { type Knex } from 'knex';
import ClientPG from 'knex/lib/dialects/postgres/index.js';
import type pg from 'pg';
import { testPostgresUri } from '../support/test-servers.js';

/**
 * The knex and node-postgres internals that infrastructure/postgres/pg-read-deadline-client.ts
 * relies on, each pinned by one test, so that an upgrade which changes one fails here by name
 * rather than as a hang under a network fault (docs/backends.md, "Upgrading knex or pg"). There
 * is no public way to discard a connection whose socket is silent, or to choose among hosts per
 * connection, through knex's own pool: that is why the file exists at all.
 */
describe('knex and pg internals that pg-read-deadline-client.ts relies on (check them on every upgrade)', function () {
  const opened: Knex[] = [];
  after(async () => Promise.all(opened.map((db) => db.destroy())));

  /** A knex on the test server through a subclass of the dialect, as the service builds it. */
  function knexWith(client: typeof ClientPG, connection: Knex.PgConnectionConfig = {}): Knex {
    const db = knex({
      client,
      connection: { connectionString: testPostgresUri, ...connection },
      pool: { min: 0, max: 1 },
      // knex warns when it discards a disposed connection: expected here.
      log: { warn() {} },
    });
    opened.push(db);
    return db;
  }

  it('the postgres dialect is a class at knex/lib/dialects/postgres/index.js with _query and _acquireOnlyConnection', () => {
    expect(ClientPG).to.be.a('function');
    expect(ClientPG.prototype._query).to.be.a('function');
    expect(ClientPG.prototype._acquireOnlyConnection).to.be.a('function');
  });

  it('knex runs every query through _query(connection, obj), with the pooled pg.Client as connection', async () => {
    const seen: unknown[] = [];
    class Spy extends ClientPG {
      override _query(connection: unknown, obj: unknown): Promise<unknown> {
        seen.push(connection);
        return super._query(connection, obj);
      }
    }
    const db = knexWith(Spy);
    await db.raw('select 1');
    await db.transaction((trx) => trx.raw('select 2'));
    expect(seen.length).to.be.at.least(4); // select 1; BEGIN, select 2, COMMIT
    expect(seen[0]).to.have.property('query').that.is.a('function');
  });

  it('knex opens each pooled connection through _acquireOnlyConnection(), which resolves to a connected pg.Client', async () => {
    let opens = 0;
    class Spy extends ClientPG {
      override async _acquireOnlyConnection(): Promise<unknown> {
        opens++;
        return super._acquireOnlyConnection();
      }
    }
    const db = knexWith(Spy);
    await db.raw('select 1');
    await db.raw('select 1');
    expect(opens).to.equal(1);
  });

  it('a connection whose __knex__disposed is set is destroyed by the pool, never handed out again', async () => {
    const connections: unknown[] = [];
    class MarkFirst extends ClientPG {
      override async _query(connection: unknown, obj: unknown): Promise<unknown> {
        connections.push(connection);
        const result = await super._query(connection, obj);
        if (connections.length === 1) (connection as { __knex__disposed?: unknown }).__knex__disposed = 'pinned';
        return result;
      }
    }
    const db = knexWith(MarkFirst);
    await db.raw('select 1');
    await db.raw('select 1');
    expect(connections).to.have.length(2);
    expect(connections[1]).to.not.equal(connections[0]);
  });

  it("knex's own connection options reach _acquireOnlyConnection as this.connectionSettings, and the driver as this.driver", async () => {
    let settings: unknown;
    let driver: unknown;
    class Spy extends ClientPG {
      override _acquireOnlyConnection(): Promise<unknown> {
        settings = this.connectionSettings;
        driver = this.driver;
        return super._acquireOnlyConnection();
      }
    }
    await knexWith(Spy, { application_name: 'pinning-test' }).raw('select 1');
    expect(settings).to.include({ application_name: 'pinning-test' });
    expect((driver as typeof pg).Client).to.be.a('function');
  });

  it("node-postgres fails a query past query_timeout with 'Query read timeout' and keeps the socket at connection.stream", async () => {
    let connection: { connection?: { stream?: { destroy?: unknown } } } | undefined;
    class Keep extends ClientPG {
      override _query(conn: unknown, obj: unknown): Promise<unknown> {
        connection = conn as typeof connection;
        return super._query(conn, obj);
      }
    }
    const db = knexWith(Keep, { query_timeout: 100 });
    const failure = await db.raw('select pg_sleep(1)').then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).to.be.instanceOf(Error);
    expect((failure as Error).message).to.match(/Query read timeout$/);
    expect(connection?.connection?.stream?.destroy).to.be.a('function');
  });
});
