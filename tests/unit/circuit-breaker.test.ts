import { expect } from 'chai';
import { CacheUnavailableError, StoreOverloadedError, StoreUnavailableError } from '../../domain/errors.js';
import { makeCacheBreaker, makeStoreBreaker } from '../../infrastructure/resilience/make-breaker.js';
import { BreakerGuardedPingCache } from '../../infrastructure/resilience/breaker-guarded-ping-cache.js';
import { CircuitBreakerGuard, type BreakerState } from '../../infrastructure/resilience/circuit-breaker.js';
import { MemoryPingCache } from '../../infrastructure/memory/memory-ping-cache.js';
import { FakeClock } from '../support/fake-clock.js';
import { SpyCache, silentLogger } from '../support/test-doubles.js';
import { PromMetrics } from '../../infrastructure/metrics/prom-metrics.js';
import { SystemClock } from '../../infrastructure/clock/system-clock.js';
import { waitUntil } from '../../harness/wait-until.js';

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
    const guard = makeStoreBreaker(surroundings(clock));
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

  it('opens on one call that waited a second with nothing answered since it began (a black-hole), before it fails', async () => {
    const { clock, guard } = storeBreaker();
    for (let i = 0; i < 100; i++) await guard.run(ok);
    let fail!: () => void;
    const silent = guard
      .run(() => new Promise<never>((_resolve, reject) => (fail = () => reject(new StoreUnavailableError('x')))))
      .catch(() => undefined);
    clock.advance(999);
    expect(guard.state, 'not yet a second').to.equal('closed');
    clock.advance(1);
    expect(guard.state, 'one silent call, whatever succeeded before it').to.equal('open');
    // Once a probe has closed it, that call's failure at its read deadline is late: not counted.
    clock.advance(2_000);
    expect(await guard.run(ok)).to.equal('ok');
    fail();
    await silent;
    expect(guard.state).to.equal('closed');
  });

  it('does not open for a slow call while the store keeps answering others (a slow statement, not a silent store)', async () => {
    const { clock, guard } = storeBreaker();
    void guard.run(() => new Promise<never>(() => {})).catch(() => undefined);
    for (let waited = 0; waited < 3_000; waited += 500) {
      clock.advance(500);
      await guard.run(ok);
    }
    expect(guard.state).to.equal('closed');
  });

  it('opens when calls caught at the fault hold on after one of them was answered: silence since that answer', async () => {
    const { clock, guard } = storeBreaker();
    let answer!: () => void;
    const caught = guard.run(() => new Promise<string>((resolve) => (answer = () => resolve('ok'))));
    void guard.run(() => new Promise<never>(() => {})).catch(() => undefined);
    clock.advance(300);
    answer();
    await caught;
    clock.advance(999);
    expect(guard.state, 'a second of silence not yet over').to.equal('closed');
    clock.advance(1);
    expect(guard.state).to.equal('open');
  });

  it('takes a refusal before the store was asked (saturation) for neither a failure nor an answer', async () => {
    const { clock, guard } = storeBreaker();
    const refused = () => Promise.reject(new StoreOverloadedError('the store is saturated'));
    for (let i = 0; i < 20; i++) await guard.run(refused).catch(() => undefined);
    expect(guard.state, 'refusals do not open it').to.equal('closed');
    // Nor do they break a silence: a call waits on a silent store while others are refused.
    void guard.run(() => new Promise<never>(() => {})).catch(() => undefined);
    clock.advance(600);
    await guard.run(refused).catch(() => undefined);
    clock.advance(400);
    expect(guard.state, 'a second of silence, refusals notwithstanding').to.equal('open');
    // Nor do they close a probe: only an answer does.
    clock.advance(2_000);
    await guard.run(refused).catch(() => undefined);
    expect(guard.state).to.equal('half_open');
    await guard.run(ok);
    expect(guard.state).to.equal('closed');
  });

  it('wakes by itself when a call turns silent: no other call or read is needed to open it', async () => {
    const states: string[] = [];
    const guard = makeStoreBreaker({ clock: new SystemClock(), metrics: new PromMetrics(), logger: silentLogger });
    guard.onStateChange((state) => states.push(state));
    void guard.run(() => new Promise<never>(() => {})).catch(() => undefined);
    // The silence bound is a second; the rest is room for a busy machine.
    await waitUntil(() => states.includes('open'), { timeoutMs: 3_000, what: 'the breaker opening by itself' });
  });
});
