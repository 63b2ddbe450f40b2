import { expect } from 'chai';
import { CacheUnavailableError, StoreUnavailableError } from '../../domain/errors.js';
import { makeCacheBreaker, makeStoreBreaker } from '../../infrastructure/resilience/make-breaker.js';
import { BreakerGuardedPingCache } from '../../infrastructure/resilience/breaker-guarded-ping-cache.js';
import { CircuitBreakerGuard, type BreakerState } from '../../infrastructure/resilience/circuit-breaker.js';
import { MemoryPingCache } from '../../infrastructure/memory/memory-ping-cache.js';
import { FakeClock } from '../support/fake-clock.js';
import { SpyCache, silentLogger } from '../support/test-doubles.js';
import { PromMetrics } from '../../infrastructure/metrics/prom-metrics.js';

// Every wait below is the fake clock's: no test here sleeps.

function makeSut(resetTimeoutMs = 60_000) {
  const clock = new FakeClock();
  const guard = new CircuitBreakerGuard({
    name: 'redis',
    clock,
    resetTimeoutMs,
    errorThresholdPercentage: 50,
    volumeThreshold: 5,
    rollingWindowMs: 10_000,
    consecutiveFailures: 5,
    unavailable: (message) => new CacheUnavailableError(message),
  });
  const inner = new SpyCache(new MemoryPingCache(clock));
  const states: BreakerState[] = [];
  guard.onStateChange((s) => states.push(s));
  return { clock, guard, inner, cache: new BreakerGuardedPingCache(inner, guard), states };
}

const ok = () => Promise.resolve('ok');
const refused = () => Promise.reject(new Error('ECONNREFUSED'));
const outage = () => Promise.reject(new StoreUnavailableError('PostgreSQL is unavailable'));
const surroundings = (clock: FakeClock) => ({ clock, metrics: new PromMetrics(), logger: silentLogger });

describe('CircuitBreakerGuard around the cache', () => {
  it('passes calls through while closed', async () => {
    const { guard, inner, cache } = makeSut();
    expect(await cache.get('k')).to.equal(null);
    expect(inner.gets).to.equal(1);
    expect(guard.state).to.equal('closed');
  });

  it('opens after repeated failures and then fails fast without calling Redis', async () => {
    const { guard, inner, cache, states } = makeSut();
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

  it('stays open until the reset time has passed, then probes and closes when the probe succeeds', async () => {
    const { clock, guard, inner, cache, states } = makeSut(500);
    inner.failWith = new Error('ECONNREFUSED');
    for (let i = 0; i < 5; i++) await cache.get('k').catch(() => undefined);
    inner.failWith = null;
    clock.advance(499);
    expect(guard.state).to.equal('open');
    expect(await cache.get('k').catch((e: unknown) => e)).to.be.instanceOf(CacheUnavailableError);
    clock.advance(1);
    expect(guard.state).to.equal('half_open');
    expect(await cache.get('k')).to.equal(null);
    expect(guard.state).to.equal('closed');
    expect(states).to.deep.equal(['open', 'half_open', 'closed']);
  });

  it('opens again at once when the probe fails, for another reset period', async () => {
    const { clock, guard, states } = makeSut(500);
    for (let i = 0; i < 5; i++) await guard.run(refused).catch(() => undefined);
    clock.advance(500);
    expect(await guard.run(refused).catch((e: unknown) => e)).to.have.property('message', 'ECONNREFUSED');
    expect(guard.state).to.equal('open');
    clock.advance(499);
    expect(guard.state).to.equal('open');
    clock.advance(1);
    expect(guard.state).to.equal('half_open');
    expect(states).to.deep.equal(['open', 'half_open', 'open', 'half_open']);
  });
});

describe('the cache breaker (makeCacheBreaker: the rolling window alone)', () => {
  it('opens once more than half the calls of the window fail, not before it holds 5 calls', async () => {
    const clock = new FakeClock();
    const guard = makeCacheBreaker(surroundings(clock));
    for (let i = 0; i < 4; i++) await guard.run(refused).catch(() => undefined);
    expect(guard.state, '4 calls: under the volume threshold').to.equal('closed');
    await guard.run(ok);
    await guard.run(ok);
    await guard.run(refused).catch(() => undefined);
    expect(guard.state, '5 of 7 failed').to.equal('open');
  });

  it('forgets the failures older than its 10 s window', async () => {
    const clock = new FakeClock();
    const guard = makeCacheBreaker(surroundings(clock));
    for (let i = 0; i < 4; i++) await guard.run(refused).catch(() => undefined);
    clock.advance(10_000);
    for (let i = 0; i < 3; i++) await guard.run(ok);
    await guard.run(refused).catch(() => undefined);
    await guard.run(refused).catch(() => undefined);
    expect(guard.state, '2 of the 5 calls in the window failed; the 4 before it are gone').to.equal('closed');
    await guard.run(refused).catch(() => undefined);
    expect(guard.state, '3 of 6').to.equal('closed');
    await guard.run(refused).catch(() => undefined);
    expect(guard.state, '4 of 7').to.equal('open');
  });
});

describe('the store breaker (makeStoreBreaker with the service thresholds)', () => {
  function storeBreaker() {
    const clock = new FakeClock();
    const guard = makeStoreBreaker({ statementTimeoutMs: 100 }, surroundings(clock));
    return { clock, guard };
  }

  it('opens after a few failures in a row however many successes came before', async () => {
    const { guard } = storeBreaker();
    for (let i = 0; i < 2000; i++) await guard.run(ok);
    let failures = 0;
    while (guard.state === 'closed' && failures < 50) {
      await guard.run(outage).catch(() => undefined);
      failures++;
    }
    expect(guard.state).to.equal('open');
    expect(failures).to.equal(5);
  });

  it('does not count a defect: a missing table leaves it closed', async () => {
    const { guard } = storeBreaker();
    const defect = Object.assign(new Error('relation "pings" does not exist'), { code: '42P01' });
    for (let i = 0; i < 50; i++) {
      const error = await guard.run(() => Promise.reject(defect)).catch((e: unknown) => e);
      expect(error).to.equal(defect);
    }
    expect(guard.state).to.equal('closed');
  });

  it('ignores failures of calls that started before a later success (the database answered since)', async () => {
    const { guard } = storeBreaker();
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
    const { clock, guard } = storeBreaker();
    for (let i = 0; i < 5; i++) await guard.run(outage).catch(() => undefined);
    expect(guard.state).to.equal('open');
    // The service's reset period (make-breaker.ts).
    clock.advance(1_999);
    expect(guard.state, 'still open just before the reset period ends').to.equal('open');
    clock.advance(1);
    expect(await guard.run(ok)).to.equal('ok');
    expect(guard.state).to.equal('closed');
  });

  it('counts calls still pending past the statement timeout, so a black-hole opens it before any call fails', async () => {
    const { clock, guard } = storeBreaker();
    for (let i = 0; i < 100; i++) await guard.run(ok);
    const hung = Array.from({ length: 5 }, () => guard.run(() => new Promise<never>(() => {})));
    void hung;
    clock.advance(99);
    expect(guard.state, 'not yet past the statement timeout').to.equal('closed');
    clock.advance(1);
    expect(guard.state).to.equal('open');
  });

  it('counts a slow call once: its failure by the deadline later is not a second one', async () => {
    const { clock, guard } = storeBreaker();
    const deadlines: Array<() => void> = [];
    const slow = () =>
      guard
        .run(
          () => new Promise<never>((_resolve, reject) => deadlines.push(() => reject(new StoreUnavailableError('x')))),
        )
        .catch(() => undefined);
    const calls = [slow(), slow(), slow(), slow()];
    clock.advance(100);
    expect(guard.state, '4 slow calls in a row').to.equal('closed');
    deadlines.forEach((fail) => fail());
    await Promise.all(calls);
    expect(guard.state, 'still 4 failures in a row, not 8').to.equal('closed');
    await guard.run(outage).catch(() => undefined);
    expect(guard.state, 'the fifth').to.equal('open');
  });
});
