import { expect } from 'chai';
import { LAST_PING_KEY } from '../../domain/ping-service.js';
import {
  openTestDatabase,
  openTestRedis,
  type DatabaseFixture,
  type RedisFixture,
} from '../support/backend-fixtures.js';
import { makeHttpHarness } from '../support/http-harness.js';
import { RecordingReporter } from '../support/test-doubles.js';
import type { ContainerOverrides } from '../../infrastructure/composition/container.js';
import { freePort } from '../../harness/free-port.js';
import { waitUntil } from '../../harness/wait-until.js';

const json = { 'content-type': 'application/json' };

/**
 * GET /ping, POST /pings and GET /pings through the real composition root, in-process, against
 * the test PostgreSQL (a scratch database) and Redis (a scratch key prefix).
 */
describe('cache-aside against PostgreSQL and Redis (integration)', function () {
  let db: DatabaseFixture;
  let redis: RedisFixture;
  let harnesses: Array<{ close(): Promise<void> }> = [];
  let serial = 0;

  before(async function () {
    db = await openTestDatabase('postgresql');
    redis = await openTestRedis('ping-service-it');
  });

  afterEach(async function () {
    await Promise.all(harnesses.map((h) => h.close()));
    harnesses = [];
  });

  after(async function () {
    await redis?.close();
    await db?.close();
  });

  /** The service as `npm start` builds it, with its own key prefix so tests never share an entry. */
  async function service(env: NodeJS.ProcessEnv = {}, overrides: ContainerOverrides = {}) {
    const keyPrefix = `${redis.prefix}${++serial}:`;
    const harness = makeHttpHarness(
      overrides,
      { ...db.env, REDIS_URI: redis.env.REDIS_URI, REDIS_KEY_PREFIX: keyPrefix, ...env },
      { backends: 'configured' },
    );
    harnesses.push(harness);
    await harness.start();
    return { ...harness, lastPingKey: keyPrefix + LAST_PING_KEY, leaseKey: `${keyPrefix}${LAST_PING_KEY}:lease` };
  }

  async function countRows(): Promise<number> {
    const [row] = await db.database.knex('pings').count<{ count: string | number }[]>({ count: '*' });
    return Number(row!.count);
  }

  it('MISS: records exactly one row, and caches it in Redis for CACHE_TTL_SECONDS + STALE_GRACE_SECONDS', async function () {
    const { request, lastPingKey, leaseKey } = await service({ CACHE_TTL_SECONDS: '60', STALE_GRACE_SECONDS: '300' });
    const before = await countRows();

    const answer = await request({ method: 'GET', url: '/ping' });

    expect(answer.status).to.equal(200);
    expect(answer.headers['x-cache']).to.equal('MISS');
    expect(answer.body.source).to.equal('database');
    expect(await countRows()).to.equal(before + 1);
    const row = await db.database.knex('pings').where({ id: answer.body.ping.id }).first();
    expect(row, 'the answered ping is the committed row').to.not.equal(undefined);

    const pttl = await redis.inspector.pttl(lastPingKey);
    expect(pttl).to.be.within(360_000 - 5_000, 360_000);
    const cached = JSON.parse((await redis.inspector.get(lastPingKey))!);
    expect(cached.ping).to.deep.equal(answer.body.ping);
    expect(await redis.inspector.exists(leaseKey), 'the refresh lease was released').to.equal(0);
  });

  it('MISS with STALE_GRACE_SECONDS=0: the key lives exactly CACHE_TTL_SECONDS', async function () {
    const { request, lastPingKey } = await service({ CACHE_TTL_SECONDS: '60', STALE_GRACE_SECONDS: '0' });
    expect((await request({ method: 'GET', url: '/ping' })).headers['x-cache']).to.equal('MISS');
    expect(await redis.inspector.pttl(lastPingKey)).to.be.within(60_000 - 5_000, 60_000);
  });

  it('HIT: the following calls answer from Redis and record no row', async function () {
    const { request } = await service();
    const miss = await request({ method: 'GET', url: '/ping' });
    const rowsAfterMiss = await countRows();
    for (let i = 0; i < 5; i++) {
      const hit = await request({ method: 'GET', url: '/ping' });
      expect(hit.headers['x-cache']).to.equal('HIT');
      expect(hit.body).to.deep.equal({ ...miss.body, source: 'cache' });
    }
    expect(await countRows()).to.equal(rowsAfterMiss);
  });

  it('after expiry (CACHE_TTL_SECONDS=1, STALE_GRACE_SECONDS=0) the next call is a MISS again', async function () {
    const { request, lastPingKey } = await service({ CACHE_TTL_SECONDS: '1', STALE_GRACE_SECONDS: '0' });
    const before = await countRows();
    const first = await request({ method: 'GET', url: '/ping' });
    expect(first.headers['x-cache']).to.equal('MISS');
    expect((await request({ method: 'GET', url: '/ping' })).headers['x-cache']).to.equal('HIT');

    // 3 s: the key lives the 1 s TTL (no grace); room for a busy machine.
    await waitUntil(async () => (await redis.inspector.exists(lastPingKey)) === 0, {
      timeoutMs: 3_000,
      what: 'Redis to expire the key',
    });
    const again = await request({ method: 'GET', url: '/ping' });
    expect(again.headers['x-cache']).to.equal('MISS');
    expect(again.body.ping.id).to.be.greaterThan(first.body.ping.id);
    expect(await countRows()).to.equal(before + 2);
  });

  it('POST /pings commits a row before answering 201, and refreshes the cache', async function () {
    const { request, lastPingKey } = await service();
    await request({ method: 'GET', url: '/ping' });

    const created = await request({ method: 'POST', url: '/pings', headers: json, payload: { note: 'committed ✓' } });

    expect(created.status).to.equal(201);
    // Read on another connection: only a committed row is visible there.
    const row = await db.database.knex('pings').where({ id: created.body.ping.id }).first();
    expect(row?.note).to.equal('committed ✓');
    expect(JSON.parse((await redis.inspector.get(lastPingKey))!).ping).to.deep.equal(created.body.ping);
    const last = await request({ method: 'GET', url: '/ping' });
    expect(last.headers['x-cache']).to.equal('HIT');
    expect(last.body.ping).to.deep.equal(created.body.ping);
  });

  it('GET /pings pages through 250 more rows with no gap and no repeat', async function () {
    const { request } = await service();
    await db.database.knex.raw(`insert into pings (note) select 'bulk ' || g from generate_series(1, 250) as g`);
    const expected = (await db.database.knex('pings').select('id').orderBy('id', 'desc')).map((r) => Number(r.id));
    expect(expected.length).to.be.at.least(250);

    const seen: number[] = [];
    let url = '/pings?limit=100';
    for (let pages = 0; pages < 100; pages++) {
      const page = await request({ method: 'GET', url });
      expect(page.status).to.equal(200);
      seen.push(...page.body.items.map((p: { id: number }) => p.id));
      if (page.body.nextBefore === null) break;
      url = `/pings?limit=100&before=${page.body.nextBefore}`;
    }
    expect(seen).to.deep.equal(expected);
  });

  it('/readyz checks the real store and cache', async function () {
    const { request } = await service();
    const answer = await request({ method: 'GET', url: '/readyz' });
    expect(answer.status).to.equal(200);
    expect(answer.body.checks.store.status).to.equal('up');
    expect(answer.body.checks.cache.status).to.equal('up');
  });

  it('/readyz stays 200 with Redis unreachable and with PostgreSQL unreachable, each shown down in the body', async function () {
    const closed = await freePort();
    const cacheDown = await service({ REDIS_URI: `redis://127.0.0.1:${closed}` });
    const degraded = await cacheDown.request({ method: 'GET', url: '/readyz' });
    expect(degraded.status).to.equal(200);
    expect(degraded.body.checks.cache.status).to.equal('down');
    expect((await cacheDown.request({ method: 'GET', url: '/ping' })).headers['x-cache']).to.equal('BYPASS');

    // Not started: its migrations could not run against a server that is not there.
    const storeDown = makeHttpHarness(
      {},
      { POSTGRES_URI: `postgres://postgres@127.0.0.1:${closed}/none` },
      { backends: 'configured' },
    );
    harnesses.push(storeDown);
    const down = await storeDown.request({ method: 'GET', url: '/readyz' });
    expect(down.status).to.equal(200);
    expect(down.body.checks.store.status).to.equal('down');
    const ping = await storeDown.request({ method: 'GET', url: '/ping' });
    expect(ping.status).to.equal(503);
    expect(ping.body.error.code).to.equal('store_unavailable');
  });

  it('a missing table is a defect: 500 internal, reported with its stack, the breaker stays closed; it serves again once the table is back', async function () {
    const reporter = new RecordingReporter();
    const { request, scrape, lastPingKey } = await service({ CACHE_TTL_SECONDS: '1' }, { ErrorReporter: reporter });
    expect(
      (await request({ method: 'POST', url: '/pings', headers: json, payload: { note: 'before' } })).status,
    ).to.equal(201);
    await db.database.knex.schema.renameTable('pings', 'pings_away');
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) {
        const answer = await request({ method: 'POST', url: '/pings', headers: json, payload: { note: 'lost' } });
        statuses.push(answer.status);
        expect(answer.body).to.deep.equal({ error: { code: 'internal', message: 'internal error' } });
      }
      // Past the entry's freshness (the 1 s TTL): GET /ping must go to the store, and no STALE may
      // hide the defect. 3 s: the TTL from the first POST; room for a busy machine.
      const { freshUntil } = JSON.parse((await redis.inspector.get(lastPingKey))!) as { freshUntil: number };
      await waitUntil(() => Date.now() > freshUntil, { timeoutMs: 3_000, what: 'the entry to turn stale' });
      statuses.push((await request({ method: 'GET', url: '/ping' })).status);
      expect(statuses).to.deep.equal(Array(21).fill(500));
      const metrics = await scrape();
      expect(metrics).to.match(/ping_circuit_breaker_state\{breaker="postgres"\} 0/);
      expect(metrics).to.match(/ping_dependency_up\{dependency="store"\} 1/);
      // Each 500 reported as itself (the table's SQLSTATE, a stack), none as an outage.
      expect(reporter.reports).to.have.length(21);
      for (const { error, context } of reporter.reports) {
        expect((error as { code?: string }).code).to.equal('42P01');
        expect((error as Error).stack).to.be.a('string');
        expect(context).to.not.have.property('event');
      }
    } finally {
      await db.database.knex.schema.renameTable('pings_away', 'pings');
    }
    expect(
      (await request({ method: 'POST', url: '/pings', headers: json, payload: { note: 'after' } })).status,
    ).to.equal(201);
    expect((await request({ method: 'GET', url: '/ping' })).status).to.equal(200);
  });
});
