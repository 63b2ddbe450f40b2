import type { Ping } from '../../domain/ping.js';
import type { PingPageQuery, PingStore } from '../../domain/ping-store.port.js';
import type { CircuitBreakerGuard } from './circuit-breaker.js';

/**
 * A PingStore behind the store breaker: while PostgreSQL is known to be down, reads and writes
 * fail at once, so GET /ping serves its stale entry (or a 503) without waiting on a dead pool.
 */
export class BreakerGuardedPingStore implements PingStore {
  constructor(
    private readonly inner: PingStore,
    private readonly guard: CircuitBreakerGuard,
  ) {}

  record(note: string | null): Promise<Ping> {
    return this.guard.run(() => this.inner.record(note));
  }

  list(query: PingPageQuery): Promise<Ping[]> {
    return this.guard.run(() => this.inner.list(query));
  }
}
