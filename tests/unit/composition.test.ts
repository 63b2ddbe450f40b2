import { expect } from 'chai';
import { StoreUnavailableError } from '../../domain/errors.js';
import { SystemClock } from '../../infrastructure/clock/system-clock.js';
import { loadConfig, type Config } from '../../infrastructure/config/config.js';
import { buildContainer } from '../../infrastructure/composition/container.js';
import { resolve } from '../../infrastructure/composition/tokens.js';
import { MemoryPingCache } from '../../infrastructure/memory/memory-ping-cache.js';
import { MemoryPingStore } from '../../infrastructure/memory/memory-ping-store.js';
import { PromMetrics } from '../../infrastructure/metrics/prom-metrics.js';
import { silentLogger, SpyStore } from '../support/test-doubles.js';

/** The composition root on in-memory backends: nothing here opens a database or a socket. */
function compose(store = new SpyStore(new MemoryPingStore(new SystemClock()))) {
  const metrics = new PromMetrics();
  const container = buildContainer(loadConfig({}), { Logger: silentLogger, Metrics: metrics, RawPingStore: store });
  return { container, metrics, store };
}

describe('the composition root', () => {
  it('gives the store port wrapped: breaker(measured(raw adapter)), whichever raw adapter is bound', async () => {
    const { container, metrics, store } = compose();
    store.failWith = new StoreUnavailableError('connect ECONNREFUSED');
    const pingStore = resolve(container, 'PingStore');
    for (let call = 0; call < 5; call++) {
      await pingStore.list({ limit: 1 }).catch(() => undefined);
    }
    // Five outages in a row open the store breaker: the sixth call never reaches the adapter.
    expect(resolve(container, 'StoreBreaker').state).to.equal('open');
    await pingStore.list({ limit: 1 }).catch(() => undefined);
    expect(store.lists).to.equal(5);
    // Measured inside the breaker: the five real calls are in the query histogram, not the sixth.
    expect(await metrics.render()).to.match(/ping_store_query_duration_seconds_count\{[^}]*\} 5\b/);
  });

  it('without Redis: the in-process shared cache, no lease, no Redis adapters', () => {
    const { container } = compose();
    expect(resolve(container, 'RedisConnection')).to.equal(null);
    expect(resolve(container, 'RawSharedPingCache')).to.equal(null);
    expect(resolve(container, 'SharedPingCache')).to.be.instanceOf(MemoryPingCache);
    expect(resolve(container, 'RecordLease')).to.equal(null);
  });

  it('gives one instance per service (singletons)', () => {
    const { container } = compose();
    expect(resolve(container, 'PingUseCases')).to.equal(resolve(container, 'PingUseCases'));
    expect(resolve(container, 'StoreBreaker')).to.equal(resolve(container, 'StoreBreaker'));
  });
});

/**
 * Wrong overrides are refused at compile time. Not a test: nothing here runs, and a runtime
 * assertion could not fail. `tsc --noEmit` (in `npm run lint`) checks these lines: if one of them
 * ever type-checks, its @ts-expect-error is unused and the compile fails.
 */
const wrongOverrides = (config: Config) => [
  // @ts-expect-error a partial object is not PingUseCases
  buildContainer(config, { PingUseCases: { getLastPing: () => Promise.reject(new Error('a defect')) } }),
  // @ts-expect-error a store where the clock belongs
  buildContainer(config, { Clock: new MemoryPingStore(new SystemClock()) }),
  // @ts-expect-error a name the container does not know
  buildContainer(config, { PingStor: new MemoryPingStore(new SystemClock()) }),
];
void wrongOverrides;
