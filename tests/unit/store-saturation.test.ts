import { expect } from 'chai';
import { MemoryPingStore } from '../../infrastructure/memory/memory-ping-store.js';
import { PromMetrics } from '../../infrastructure/metrics/prom-metrics.js';
import { SystemClock } from '../../infrastructure/clock/system-clock.js';
import { resolve } from '../../infrastructure/composition/tokens.js';
import { makeHttpHarness } from '../support/http-harness.js';
import { RecordingMonitor, SpyStore } from '../support/test-doubles.js';

const json = { 'content-type': 'application/json' };

/**
 * Overload is not an outage: writes beyond what the store's connections and their queue take
 * are refused at once with 503 overloaded, and the store is never marked down for it.
 */
describe('a saturated store (through the real composition root)', function () {
  it('answers the writes it cannot take 503 overloaded with Retry-After, fast, and never opens the breaker or reports an outage', async () => {
    const store = new SpyStore(new MemoryPingStore(new SystemClock()));
    let release!: () => void;
    store.holdRecords = new Promise<void>((resolve) => (release = resolve));
    const metrics = new PromMetrics();
    const monitor = new RecordingMonitor();
    // Without POSTGRES_URI the store takes one call at once and eight waiting (the embedded engine's).
    const { request, container } = makeHttpHarness({
      RawPingStore: store,
      Metrics: metrics,
      DependencyMonitor: monitor,
    });
    const post = () => request({ method: 'POST', url: '/pings', headers: json, payload: '{"note":"n"}' });

    const admitted = Array.from({ length: 9 }, post);
    const started = performance.now();
    const refused = await Promise.all(Array.from({ length: 20 }, post));
    const refusedWithin = performance.now() - started;
    for (const answer of refused) {
      expect(answer.status).to.equal(503);
      expect(answer.headers['retry-after']).to.equal('1');
      expect(answer.body).to.deep.equal({
        error: { code: 'overloaded', message: 'the service is overloaded, retry shortly' },
      });
    }
    // Refused before any store call or timer: well inside the queue's wait, let alone the store's budget.
    expect(refusedWithin, 'refusals answered without waiting').to.be.below(250);

    release();
    store.holdRecords = null;
    for (const answer of await Promise.all(admitted)) expect(answer.status).to.equal(201);
    expect(store.records).to.equal(9);
    expect(resolve(container, 'StoreBreaker').state).to.equal('closed');
    expect(monitor.failures('store')).to.equal(0);
    expect(await metrics.render()).to.match(/^ping_store_saturated_total 20$/m);
  });
});
