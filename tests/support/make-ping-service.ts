import type { PingPolicy } from '../../domain/ping-policy.js';
import { PingService } from '../../domain/ping-service.js';
import type { RecordLease } from '../../domain/record-lease.port.js';
import { MemoryPingCache } from '../../infrastructure/memory/memory-ping-cache.js';
import { MemoryPingStore } from '../../infrastructure/memory/memory-ping-store.js';
import { FakeClock } from './fake-clock.js';
import { RecordingMonitor, SpyCache, SpyStore } from './test-doubles.js';

const TEST_POLICY: PingPolicy = {
  ttlMs: 60_000,
  staleGraceMs: 300_000,
  leaseTtlMs: 2_000,
  leaseWaitMs: 1_000,
  leasePollMs: 25,
  staleFallbackMs: 100,
};

/** The system under test with in-memory adapters, a fake clock, and spies on every port. */
export interface PingServiceOptions {
  policy?: Partial<PingPolicy>;
  lease?: RecordLease | null;
  clock?: FakeClock;
  /** Pass another SUT's store and shared cache to model a second instance of the service. */
  store?: SpyStore;
  sharedCache?: SpyCache;
}

export function makePingService(options: PingServiceOptions = {}) {
  const clock = options.clock ?? new FakeClock();
  const store = options.store ?? new SpyStore(new MemoryPingStore(clock));
  const sharedCache = options.sharedCache ?? new SpyCache(new MemoryPingCache(clock));
  const localCache = new SpyCache(new MemoryPingCache(clock));
  const monitor = new RecordingMonitor();
  const policy = { ...TEST_POLICY, ...options.policy };
  const sut = new PingService({ sharedCache, localCache, store, clock, lease: options.lease ?? null, monitor }, policy);
  return { sut, clock, store, sharedCache, localCache, monitor, policy };
}
