import { expect } from 'chai';
import type { LoadSignal, ShedReason } from '../../interfaces/http/load-signal.js';
import { MemoryPingStore } from '../../infrastructure/memory/memory-ping-store.js';
import { PromMetrics } from '../../infrastructure/metrics/prom-metrics.js';
import { SystemClock } from '../../infrastructure/clock/system-clock.js';
import { createApp } from '../../interfaces/http/app.js';
import { httpDependencies } from '../../interfaces/startup/http-server.js';
import { MAX_IN_FLIGHT } from '../../interfaces/http/middleware/admission.js';
import { makeHttpHarness } from '../support/http-harness.js';
import { inject } from 'light-my-request';
import { SpyStore } from '../support/test-doubles.js';

/** A load signal the test sets by hand. */
class SetLoad implements LoadSignal {
  reason: ShedReason | null = null;
  overloaded(): ShedReason | null {
    return this.reason;
  }
}

function sheddingApp(overrides: Parameters<typeof makeHttpHarness>[0] = {}) {
  const load = new SetLoad();
  const metrics = new PromMetrics();
  const harness = makeHttpHarness({ Metrics: metrics, ...overrides });
  const app = createApp(httpDependencies(harness.container, { load }));
  const request = async (method: string, url: string) => {
    const answer = await inject(app.callback(), { method: method as 'GET', url });
    return { status: answer.statusCode, headers: answer.headers, body: answer.json() };
  };
  return { load, metrics, request };
}

describe('load shedding: the admission check', () => {
  it('answers 503 overloaded with Retry-After and a request id, before any work, while the process is overloaded', async () => {
    const store = new SpyStore(new MemoryPingStore(new SystemClock()));
    const { load, metrics, request } = sheddingApp({ RawPingStore: store });
    load.reason = 'event_loop_delay';
    for (const [method, url] of [
      ['GET', '/ping'],
      ['POST', '/pings'],
      ['GET', '/pings'],
      ['GET', '/openapi.json'],
    ] as const) {
      const answer = await request(method, url);
      expect(answer.status, url).to.equal(503);
      expect(answer.headers['retry-after']).to.equal('1');
      expect(answer.headers['x-request-id']).to.be.a('string');
      expect(answer.body).to.deep.equal({
        error: { code: 'overloaded', message: 'the service is overloaded, retry shortly' },
      });
    }
    expect(store.records + store.lists, 'no store call').to.equal(0);
    expect(await metrics.render()).to.match(/^ping_requests_shed_total\{reason="event_loop_delay"\} 4$/m);

    load.reason = null;
    expect((await request('GET', '/ping')).status).to.equal(200);
  });

  it('never sheds the probes or the scrape: a liveness probe that times out gets a healthy pod killed', async () => {
    const { load, request } = sheddingApp();
    load.reason = 'event_loop_delay';
    expect((await request('GET', '/healthz')).status).to.equal(200);
    const ready = await request('GET', '/readyz');
    expect(ready.status, 'readiness stays 200 while shedding').to.equal(200);
    expect(ready.body.status).to.equal('ready');
    // The scrape has a listener of its own (METRICS_PORT), with no admission check at all.
    const scrape = await inject(makeHttpHarness().metricsApp.callback(), { method: 'GET', url: '/metrics' });
    expect(scrape.statusCode).to.equal(200);
  });

  it('refuses requests past the in-flight cap, counted as in_flight, and admits again as they finish', async () => {
    const store = new SpyStore(new MemoryPingStore(new SystemClock()));
    let release!: () => void;
    store.holdRecords = new Promise<void>((resolve) => (release = resolve));
    const { metrics, request } = sheddingApp({ RawPingStore: store });
    // Cold-key GETs share the one refresh, held in the store: each stays in flight.
    const held = Array.from({ length: MAX_IN_FLIGHT }, () => request('GET', '/ping'));
    await new Promise((resolve) => setImmediate(resolve));
    const refused = await request('GET', '/ping');
    expect(refused.status).to.equal(503);
    expect(refused.body.error.code).to.equal('overloaded');
    expect((await request('GET', '/healthz')).status, 'the probe is not counted or refused').to.equal(200);
    release();
    store.holdRecords = null;
    for (const answer of await Promise.all(held)) expect(answer.status).to.equal(200);
    expect((await request('GET', '/ping')).status, 'admitted again').to.equal(200);
    expect(await metrics.render()).to.match(/^ping_requests_shed_total\{reason="in_flight"\} 1$/m);
  });
});
