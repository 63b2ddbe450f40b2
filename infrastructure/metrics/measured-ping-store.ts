import type { StoreMetrics } from './service-metrics.js';
import type { Ping } from '../../domain/ping.js';
import type { PingPageQuery, PingStore } from '../../domain/ping-store.port.js';

/**
 * Times every call to the store, whichever adapter it is, so the store query histogram needs
 * nothing from the PostgreSQL adapter. A cache hit never reaches it.
 */
export class MeasuredPingStore implements PingStore {
  constructor(
    private readonly inner: PingStore,
    private readonly metrics: StoreMetrics,
  ) {}

  record(note: string | null): Promise<Ping> {
    return this.measure('record', () => this.inner.record(note));
  }

  list(query: PingPageQuery): Promise<Ping[]> {
    return this.measure('list', () => this.inner.list(query));
  }

  private async measure<T>(operation: string, call: () => Promise<T>): Promise<T> {
    const started = performance.now();
    let ok = false;
    try {
      const result = await call();
      ok = true;
      return result;
    } finally {
      this.metrics.observeStoreQuery(operation, ok, (performance.now() - started) / 1000);
    }
  }
}
