import { expect } from 'chai';
import { StoreUnavailableError } from '../../domain/errors.js';
import { MemoryPingStore } from '../../infrastructure/memory/memory-ping-store.js';
import knex from 'knex';
import { knexPoolStats } from '../../infrastructure/metrics/knex-pool-stats.js';
import { PromMetrics } from '../../infrastructure/metrics/prom-metrics.js';
import { FakeClock } from '../support/fake-clock.js';
import { makeHttpHarness } from '../support/http-harness.js';
import { parsePrometheusText, sampleValue, type PromSample } from '../../harness/prometheus-text.js';
import { SpyStore } from '../support/test-doubles.js';

type Harness = ReturnType<typeof makeHttpHarness>;

async function scrape(harness: Harness): Promise<PromSample[]> {
  const answer = await harness.metricsRequest({ method: 'GET', url: '/metrics' });
  expect(answer.status).to.equal(200);
  return parsePrometheusText(String(answer.body));
}

function makeSut() {
  const clock = new FakeClock();
  const store = new SpyStore(new MemoryPingStore(clock));
  const harness = makeHttpHarness({ Clock: clock, RawPingStore: store });
  return { harness, clock, store };
}

const pingRequests = (samples: PromSample[], status: string) =>
  sampleValue(samples, 'http_request_duration_seconds_count', { method: 'GET', route: '/ping', status_code: status });

describe('GET /metrics on the metrics listener (prom-client, in-process)', () => {
  it('answers the Prometheus text format with the process metrics', async () => {
    const { harness } = makeSut();
    const answer = await harness.metricsRequest({ method: 'GET', url: '/metrics' });
    expect(answer.status).to.equal(200);
    expect(answer.headers['content-type']).to.match(/^text\/plain; version=0\.0\.4/);
    const names = new Set(parsePrometheusText(String(answer.body)).map((s) => s.name));
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(names, name).to.include(name);
    }
  });

  it('exposes every cache result at zero before the first request, so ratios work from the start', async () => {
    const samples = await scrape(makeSut().harness);
    for (const result of ['hit', 'miss', 'stale', 'bypass', 'error']) {
      expect(sampleValue(samples, 'ping_cache_results_total', { result }), result).to.equal(0);
    }
    expect(sampleValue(samples, 'ping_dependency_up', { dependency: 'store' })).to.equal(1);
  });

  it('counts a MISS, then a HIT, then a STALE and an error as the store fails', async () => {
    const { harness, clock, store } = makeSut();
    expect((await harness.request({ method: 'GET', url: '/ping' })).headers['x-cache']).to.equal('MISS');
    let samples = await scrape(harness);
    expect(sampleValue(samples, 'ping_cache_results_total', { result: 'miss' })).to.equal(1);
    expect(sampleValue(samples, 'ping_cache_results_total', { result: 'hit' })).to.equal(0);
    expect(
      sampleValue(samples, 'ping_store_query_duration_seconds_count', { operation: 'record', outcome: 'ok' }),
    ).to.equal(1);

    expect((await harness.request({ method: 'GET', url: '/ping' })).headers['x-cache']).to.equal('HIT');
    samples = await scrape(harness);
    expect(sampleValue(samples, 'ping_cache_results_total', { result: 'hit' })).to.equal(1);
    expect(pingRequests(samples, '200')).to.equal(2);
    // A hit never reaches the store.
    expect(
      sampleValue(samples, 'ping_store_query_duration_seconds_count', { operation: 'record', outcome: 'ok' }),
    ).to.equal(1);

    store.failWith = new StoreUnavailableError('connection refused');
    clock.advance(61_000); // past the 60 s TTL, within the 300 s grace: the old entry is served
    expect((await harness.request({ method: 'GET', url: '/ping' })).headers['x-cache']).to.equal('STALE');
    clock.advance(400_000); // past the grace too: nothing left to serve
    expect((await harness.request({ method: 'GET', url: '/ping' })).status).to.equal(503);

    samples = await scrape(harness);
    expect(sampleValue(samples, 'ping_cache_results_total', { result: 'stale' })).to.equal(1);
    expect(sampleValue(samples, 'ping_cache_results_total', { result: 'error' })).to.equal(1);
    expect(sampleValue(samples, 'ping_cache_results_total', { result: 'miss' })).to.equal(1);
    expect(pingRequests(samples, '200')).to.equal(3);
    expect(pingRequests(samples, '503')).to.equal(1);
    expect(
      sampleValue(samples, 'ping_store_query_duration_seconds_count', { operation: 'record', outcome: 'error' }),
    ).to.equal(2);
    expect(sampleValue(samples, 'ping_dependency_up', { dependency: 'store' })).to.equal(0);

    store.failWith = null;
    expect((await harness.request({ method: 'GET', url: '/ping' })).headers['x-cache']).to.equal('MISS');
    samples = await scrape(harness);
    expect(sampleValue(samples, 'ping_dependency_up', { dependency: 'store' })).to.equal(1);
    expect(sampleValue(samples, 'ping_cache_results_total', { result: 'miss' })).to.equal(2);
  });

  it('labels requests with the route template, and every unknown path with one "unmatched" label', async () => {
    const { harness } = makeSut();
    await harness.request({ method: 'GET', url: '/pings?limit=2' });
    await harness.request({ method: 'GET', url: '/pings?limit=3&before=9' });
    await harness.request({ method: 'GET', url: '/no/such/path' });
    await harness.request({ method: 'GET', url: '/another/../garbage%00' });
    await harness.request({ method: 'POST', url: '/pings', headers: { 'content-type': 'text/plain' }, payload: 'x' });
    const samples = await scrape(harness);
    const routes = new Set(
      samples.filter((s) => s.name === 'http_request_duration_seconds_count').map((s) => s.labels.route),
    );
    expect([...routes].sort()).to.deep.equal(['/pings', 'unmatched']);
    expect(
      sampleValue(samples, 'http_request_duration_seconds_count', {
        method: 'GET',
        route: '/pings',
        status_code: '200',
      }),
    ).to.equal(2);
    expect(
      sampleValue(samples, 'http_request_duration_seconds_count', { route: 'unmatched', status_code: '404' }),
    ).to.equal(2);
    expect(
      sampleValue(samples, 'http_request_duration_seconds_count', {
        method: 'POST',
        route: '/pings',
        status_code: '415',
      }),
    ).to.equal(1);
  });

  it('keeps the probes and the scrapes out of the request histogram', async () => {
    const { harness } = makeSut();
    await harness.request({ method: 'GET', url: '/healthz' });
    await harness.request({ method: 'GET', url: '/readyz' });
    await scrape(harness);
    await harness.metricsRequest({ method: 'GET', url: '/nowhere' });
    const samples = await scrape(harness);
    expect(samples.filter((s) => s.name.startsWith('http_request_duration_seconds'))).to.deep.equal([]);
  });

  it('answers /metrics on the metrics listener only: the API port says 404, the metrics port 404s everything else', async () => {
    const { harness } = makeSut();
    const onApi = await harness.request({ method: 'GET', url: '/metrics' });
    expect(onApi.status).to.equal(404);
    expect(onApi.body).to.deep.equal({ error: { code: 'not_found', message: 'no route for GET /metrics' } });
    for (const url of ['/ping', '/pings', '/healthz', '/readyz', '/openapi.json', '/metrics/x']) {
      const answer = await harness.metricsRequest({ method: 'GET', url });
      expect(answer.status, url).to.equal(404);
      expect(answer.body.error.code, url).to.equal('not_found');
      expect(answer.headers['x-request-id'], url).to.be.a('string');
    }
    const post = await harness.metricsRequest({ method: 'POST', url: '/metrics' });
    expect([post.status, post.headers.allow]).to.deep.equal([405, 'GET, HEAD, OPTIONS']);
  });
});

describe('PromMetrics', () => {
  it('reads each watched pool when scraped, and skips a pool that is gone', async () => {
    const metrics = new PromMetrics();
    let stats: { used: number; free: number; pending: number; max: number } | null = {
      used: 3,
      free: 7,
      pending: 2,
      max: 10,
    };
    metrics.watchPool('postgres', { poolStats: () => stats });
    let samples = parsePrometheusText(await metrics.render());
    expect(sampleValue(samples, 'ping_store_pool_connections', { pool: 'postgres', state: 'used' })).to.equal(3);
    expect(sampleValue(samples, 'ping_store_pool_connections', { pool: 'postgres', state: 'pending' })).to.equal(2);
    expect(sampleValue(samples, 'ping_store_pool_connections', { pool: 'postgres', state: 'max' })).to.equal(10);
    stats = null;
    samples = parsePrometheusText(await metrics.render());
    expect(samples.filter((s) => s.name === 'ping_store_pool_connections')).to.deep.equal([]);
  });

  it('shows a breaker state as 0 closed, 1 half-open, 2 open', async () => {
    const metrics = new PromMetrics();
    const state = async () =>
      sampleValue(parsePrometheusText(await metrics.render()), 'ping_circuit_breaker_state', { breaker: 'redis' });
    metrics.setBreakerState('redis', 'open');
    expect(await state()).to.equal(2);
    metrics.setBreakerState('redis', 'half_open');
    expect(await state()).to.equal(1);
    metrics.setBreakerState('redis', 'closed');
    expect(await state()).to.equal(0);
  });

  it('keeps separate counts per instance, so two containers in one process never mix', async () => {
    const a = new PromMetrics();
    const b = new PromMetrics();
    a.countCacheResult('hit');
    const inB = sampleValue(parsePrometheusText(await b.render()), 'ping_cache_results_total', { result: 'hit' });
    expect(inB).to.equal(0);
  });

  it("reads knex's own pool (tarn), before any connection is made, and nothing once it is destroyed", async () => {
    const db = knex({ client: 'pg', connection: 'postgres://u:p@127.0.0.1:1/none', pool: { min: 0, max: 4 } });
    const source = knexPoolStats(db);
    expect(source.poolStats()).to.deep.equal({ used: 0, free: 0, pending: 0, max: 4 });
    await db.destroy();
    expect(source.poolStats()).to.equal(null);
  });
});
