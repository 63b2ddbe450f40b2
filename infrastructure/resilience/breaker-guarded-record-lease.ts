import type { RecordLease } from '../../domain/record-lease.port.js';
import type { CircuitBreakerGuard } from './circuit-breaker.js';

/** The lease lives in the same Redis as the cache, so it shares the cache's breaker. */
export class BreakerGuardedRecordLease implements RecordLease {
  constructor(
    private readonly inner: RecordLease,
    private readonly guard: CircuitBreakerGuard,
  ) {}

  acquire(key: string, ttlMs: number): Promise<string | null> {
    return this.guard.run(() => this.inner.acquire(key, ttlMs));
  }

  release(key: string, token: string): Promise<void> {
    return this.guard.run(() => this.inner.release(key, token));
  }
}
