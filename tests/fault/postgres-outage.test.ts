import { expect } from 'chai';
import { FaultProxy } from '../../harness/fault-proxy.js';
import { POSTGRES_BUDGETS, READ_DEADLINE_MARGIN_MS } from '../../infrastructure/postgres/postgres-budgets.js';
import { waitUntil } from '../../harness/wait-until.js';
import { figures } from '../support/figures.js';
import { summarize, timedRequest } from '../support/load.js';
import { ServiceProcess } from '../support/service-process.js';
import { createScratchDatabase, scratchRedisPrefix, testPostgresUri, testRedisUri } from '../support/test-servers.js';

const { acquireTimeoutMs, statementTimeoutMs } = POSTGRES_BUDGETS;
/** Not a speed target: no answer may wait past the store's budgets (plus scheduling slack). */
const STORE_BOUND_MS = acquireTimeoutMs + statementTimeoutMs + READ_DEADLINE_MARGIN_MS + 500;

describe('fault injection: PostgreSQL black-holed', function () {
  this.timeout(120_000);
  let database: { uri: string; drop: () => Promise<void> };
  let redis: Awaited<ReturnType<typeof scratchRedisPrefix>>;
  let proxy: FaultProxy;
  let service: ServiceProcess;

  before(async () => {
    database = await createScratchDatabase('fault_pg');
    redis = await scratchRedisPrefix('fault-pg');
    const target = new URL(testPostgresUri);
    proxy = await FaultProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
    const viaProxy = new URL(database.uri);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    service = await ServiceProcess.start({
      POSTGRES_URI: viaProxy.toString(),
      REDIS_URI: testRedisUri,
      REDIS_KEY_PREFIX: redis.prefix,
      CACHE_TTL_SECONDS: '1',
      STALE_GRACE_SECONDS: '4',
    });
  });

  after(async () => {
    await service?.stop('SIGKILL');
    await proxy?.close();
    await redis?.clear();
    await database?.drop();
  });

  it('serves STALE within the grace period, then a fast 503, and recovers without a restart', async () => {
    const first = await timedRequest({ url: `${service.url}/ping` });
    expect(first.status).to.equal(200);
    expect(first.xCache).to.equal('MISS');
    const firstId = (first.body as { ping: { id: number } }).ping.id;

    // The entry as Redis holds it: fresh until its `freshUntil`, kept CACHE_TTL + STALE_GRACE.
    const [key] = await redis.keys();
    const cached = JSON.parse((await redis.redis.get(key!))!) as { freshUntil: number };

    proxy.setMode('blackhole');
    // Past the entry's freshness (the 1 s TTL): the next GET must refresh, and the store is gone.
    // 2 s: the TTL from the MISS above, with room for a busy machine.
    await waitUntil(() => Date.now() > cached.freshUntil, { timeoutMs: 2_000, what: 'the entry to turn stale' });

    const stale = await Promise.all(Array.from({ length: 20 }, () => timedRequest({ url: `${service.url}/ping` })));
    const staleSummary = summarize(stale);
    figures('stale phase: %j', staleSummary);
    expect(staleSummary.byStatus).to.deep.equal({ 200: 20 });
    expect(staleSummary.byCache).to.deep.equal({ STALE: 20 });
    for (const sample of stale) expect(sample.body).to.deep.include({ source: 'stale' });
    expect((stale[0]!.body as { ping: { id: number } }).ping.id).to.equal(firstId);
    expect(staleSummary.worstMs).to.be.at.most(STORE_BOUND_MS);

    const post = await timedRequest({ url: `${service.url}/pings`, method: 'POST', body: { note: 'not committed' } });
    figures('POST while black-holed: %d in %d ms', post.status, Math.round(post.ms));
    expect(post.status).to.equal(503);
    expect(post.body).to.deep.include({
      error: { code: 'store_unavailable', message: 'the ping store is unavailable, retry shortly' },
    });
    expect(post.ms).to.be.at.most(STORE_BOUND_MS);

    // Every instance shares the store: its outage shows in the body, never as an unready instance.
    // Readiness answers at once with checks at most a second old, refreshed in the background:
    // 5 s is that second, the check's own second of budget, and room for a busy machine.
    const storeDown = await waitUntil(
      async () => {
        const ready = await timedRequest({ url: `${service.url}/readyz` });
        expect(ready.status, 'readiness while the store is black-holed').to.equal(200);
        return (ready.body as { checks: { store: { status: string } } }).checks.store.status === 'down' && ready;
      },
      { timeoutMs: 5_000, what: 'readiness showing the store down' },
    );
    // At once: well inside a readiness probe's timeout (2 s in the manifests), the store black-holed or not.
    expect(storeDown.ms, 'readiness answered at once').to.be.below(1_000);

    // Past the grace period: Redis drops the key, and nothing is left to serve.
    // 10 s: the key lives 5 s (TTL and grace) from the MISS; room for a busy machine.
    await waitUntil(async () => (await redis.redis.exists(key!)) === 0, {
      timeoutMs: 10_000,
      what: 'Redis to expire the entry',
    });
    const failed = await Promise.all(Array.from({ length: 10 }, () => timedRequest({ url: `${service.url}/ping` })));
    const failedSummary = summarize(failed);
    figures('after grace: %j', failedSummary);
    expect(failedSummary.byStatus).to.deep.equal({ 503: 10 });
    expect(failedSummary.worstMs).to.be.at.most(STORE_BOUND_MS);

    proxy.setMode('pass');
    proxy.cut();
    // 10 s: the store breaker probes again after its reset time (2 s by default); room for a busy machine.
    const recovered = await waitUntil(
      async () => {
        const sample = await timedRequest({ url: `${service.url}/ping` });
        return sample.status === 200 && sample.xCache === 'MISS' ? sample : null;
      },
      { timeoutMs: 10_000, intervalMs: 100, what: 'a MISS once PostgreSQL is back' },
    );
    expect((recovered.body as { ping: { id: number } }).ping.id).to.be.greaterThan(firstId);
    expect((await timedRequest({ url: `${service.url}/readyz` })).status).to.equal(200);
  });
});
