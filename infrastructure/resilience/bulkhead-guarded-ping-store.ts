import type { Ping } from '../../domain/ping.js';
import type { PingPageQuery, PingStore } from '../../domain/ping-store.port.js';
import type { Bulkhead } from './bulkhead.js';

/**
 * A PingStore that admits no more calls than the pool has connections, and refuses quickly
 * (StoreOverloadedError, a 503 `overloaded`) what would otherwise queue for a connection until
 * the pool's acquire timeout, the failure that a dead server gives too: saturation is told
 * apart from an outage before the breaker ever sees the call.
 */
export class BulkheadGuardedPingStore implements PingStore {
  constructor(
    private readonly inner: PingStore,
    private readonly bulkhead: Bulkhead,
  ) {}

  record(note: string | null): Promise<Ping> {
    return this.bulkhead.run(() => this.inner.record(note));
  }

  list(query: PingPageQuery): Promise<Ping[]> {
    return this.bulkhead.run(() => this.inner.list(query));
  }
}
