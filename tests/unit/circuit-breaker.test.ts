import { expect } from 'chai';
import { CacheUnavailableError, StoreUnavailableError } from '../../domain/errors.js';
import { makeStoreBreaker } from '../../infrastructure/resilience/make-breaker.js';
import { BreakerGuardedPingCache } from '../../infrastructure/resilience/breaker-guarded-ping-cache.js';
import { CircuitBreakerGuard, type BreakerState } from '../../infrastructure/resilience/circuit-breaker.js';
import { MemoryPingCache } from '../../infrastructure/memory/memory-ping-cache.js';
import { FakeClock } from '../support/fake-clock.js';
import { SpyCache, silentLogger } from '../support/test-doubles.js';
import { PromMetrics } from '../../infrastructure/metrics/prom-metrics.js';

function makeSut(resetTimeoutMs = 60_000) {
  const guard = new CircuitBreakerGuard({
    name: 'redis',
    resetTimeoutMs,
    errorThresholdPercentage: 50,
    volumeThreshold: 5,
    rollingWindowMs: 10_000,
    consecutiveFailures: 5,
    unavailable: (message, cause) => new CacheUnavailableError(message, { cause }),
  });
  const inner = new SpyCache(new MemoryPingCache(new FakeClock()));
  const states: BreakerState[] = [];
  guard.onStateChange((s) => states.push(s));
  return { guard, inner, cache: new BreakerGuardedPingCache(inner, guard), states };
}

describe('CircuitBreakerGuard around the cache', () => {
  const guards: CircuitBreakerGuard[] = [];
  afterEach(() => guards.splice(0).forEach((g) => g.close()));

  it('passes calls through while closed', async () => {
    const { guard, inner, cache } = makeSut();
    guards.push(guard);
    expect(await cache.get('k')).to.equal(null);
    expect(inner.gets).to.equal(1);
    expect(guard.state).to.equal('closed');
  });

  it('opens after repeated failures and then fails fast without calling Redis', async () => {
    const { guard, inner, cache, states } = makeSut();
    guards.push(guard);
    inner.failWith = new Error('ETIMEDOUT');
    for (let i = 0; i < 5; i++) await cache.get('k').catch(() => undefined);
    expect(guard.state).to.equal('open');
    expect(states).to.deep.equal(['open']);
    const callsWhenOpened = inner.gets;
    for (let i = 0; i < 100; i++) {
      const error = await cache.get('k').then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(CacheUnavailableError);
    }
    expect(inner.gets).to.equal(callsWhenOpened);
  });

  it('probes after the reset timeout and closes when the probe succeeds', async () => {
    const { guard, inner, cache, states } = makeSut(50);
    guards.push(guard);
    inner.failWith = new Error('ECONNREFUSED');
    for (let i = 0; i < 5; i++) await cache.get('k').catch(() => undefined);
    expect(guard.state).to.equal('open');
    inner.failWith = null;
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(guard.state).to.equal('half_open');
    expect(await cache.get('k')).to.equal(null);
    expect(guard.state).to.equal('closed');
    expect(states).to.deep.equal(['open', 'half_open', 'closed']);
  });
});

describe('the store breaker (makeBreaker with the service thresholds)', () => {
  const guards: CircuitBreakerGuard[] = [];
  afterEach(() => guards.splice(0).forEach((g) => g.close()));
  const outage = () => Promise.reject(new StoreUnavailableError('PostgreSQL is unavailable'));
  const ok = () => Promise.resolve('ok');
  function storeBreaker() {
    const guard = makeStoreBreaker(
      { statementTimeoutMs: 100 },
      {
        metrics: new PromMetrics(),
        logger: silentLogger,
      },
    );
    guards.push(guard);
    return guard;
  }

  it('opens after a few failures in a row however many successes came before', async () => {
    const guard = storeBreaker();
    for (let i = 0; i < 2000; i++) await guard.run(ok);
    let failures = 0;
    while (guard.state === 'closed' && failures < 50) {
      await guard.run(outage).catch(() => undefined);
      failures++;
    }
    expect(guard.state).to.equal('open');
    expect(failures).to.be.at.most(5);
  });

  it('does not count a defect: a missing table leaves it closed', async () => {
    const guard = storeBreaker();
    const defect = Object.assign(new Error('relation "pings" does not exist'), { code: '42P01' });
    for (let i = 0; i < 50; i++) {
      const error = await guard.run(() => Promise.reject(defect)).catch((e: unknown) => e);
      expect(error).to.equal(defect);
    }
    expect(guard.state).to.equal('closed');
  });

  it('ignores failures of calls that started before a later success (the database answered since)', async () => {
    const guard = storeBreaker();
    // Calls caught by an outage that has already ended: they fail after a newer call succeeded.
    const stuck: Array<() => void> = [];
    const pending = Array.from({ length: 10 }, () =>
      guard
        .run(
          () =>
            new Promise<never>((_resolve, reject) =>
              stuck.push(() => reject(new StoreUnavailableError('read timeout'))),
            ),
        )
        .catch(() => undefined),
    );
    await guard.run(ok);
    stuck.forEach((fail) => fail());
    await Promise.all(pending);
    expect(guard.state).to.equal('closed');
  });

  it('closes on the first healthy probe', async () => {
    const guard = storeBreaker();
    for (let i = 0; i < 5; i++) await guard.run(outage).catch(() => undefined);
    expect(guard.state).to.equal('open');
    // The reset period is a constant of the breaker (2 s): wait for the probe it then allows.
    for (let waited = 0; guard.state === 'open' && waited < 5_000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await guard.run(ok)).to.equal('ok');
    expect(guard.state).to.equal('closed');
  });

  it('counts calls still pending past the statement timeout, so a black-hole opens it before any call fails', async () => {
    const guard = storeBreaker();
    for (let i = 0; i < 100; i++) await guard.run(ok);
    const hung = Array.from({ length: 5 }, () => guard.run(() => new Promise<never>(() => {})));
    void hung;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(guard.state).to.equal('open');
  });
});
