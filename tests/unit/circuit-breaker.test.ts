import { expect } from 'chai';
import { CacheUnavailableError } from '../../domain/errors.js';
import { BreakerGuardedPingCache } from '../../infrastructure/resilience/breaker-guarded-ping-cache.js';
import { CircuitBreakerGuard, type BreakerState } from '../../infrastructure/resilience/circuit-breaker.js';
import { MemoryPingCache } from '../../infrastructure/memory/memory-ping-cache.js';
import { FakeClock } from '../support/fake-clock.js';
import { SpyCache } from '../support/test-doubles.js';

function makeSut(resetTimeoutMs = 60_000) {
  const guard = new CircuitBreakerGuard({
    name: 'redis',
    resetTimeoutMs,
    errorThresholdPercentage: 50,
    volumeThreshold: 5,
    rollingWindowMs: 10_000,
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
