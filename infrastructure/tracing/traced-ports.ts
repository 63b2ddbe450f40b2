import type { CachedPing, PingCache } from '../../domain/ping-cache.port.js';
import type { Ping } from '../../domain/ping.js';
import type { PingPageQuery, PingStore } from '../../domain/ping-store.port.js';
import type { RecordLease } from '../../domain/record-lease.port.js';
import type { DatabaseSpans } from './database-spans.js';

/** Whether a cache read found an entry (fresh or not: the policy decides): the service's own attribute. */
const ATTR_CACHE_FOUND = 'ping_service.cache.found';

/** The shared cache, each read (`GET`) and write (`SET`) a Redis client span. */
export class TracedPingCache implements PingCache {
  constructor(
    private readonly inner: PingCache,
    private readonly spans: DatabaseSpans,
  ) {}

  get(key: string): Promise<CachedPing | null> {
    return this.spans.run('GET', async (span) => {
      const entry = await this.inner.get(key);
      span.setAttribute(ATTR_CACHE_FOUND, entry !== null);
      return entry;
    });
  }

  set(key: string, entry: CachedPing, ttlMs: number): Promise<void> {
    return this.spans.run('SET', () => this.inner.set(key, entry, ttlMs));
  }
}

/** The refresh lease's Redis calls: `SET` (NX) to take it, `EVAL` (compare and delete) to release it. */
export class TracedRecordLease implements RecordLease {
  constructor(
    private readonly inner: RecordLease,
    private readonly spans: DatabaseSpans,
  ) {}

  acquire(key: string, ttlMs: number): Promise<string | null> {
    return this.spans.run('SET', () => this.inner.acquire(key, ttlMs));
  }

  release(key: string, token: string): Promise<void> {
    return this.spans.run('EVAL', () => this.inner.release(key, token));
  }
}

/** The store, each call a PostgreSQL client span (`INSERT pings`, `SELECT pings`), its pool acquire under it. */
export class TracedPingStore implements PingStore {
  constructor(
    private readonly inner: PingStore,
    private readonly spans: DatabaseSpans,
  ) {}

  record(note: string | null): Promise<Ping> {
    return this.spans.run('INSERT', () => this.inner.record(note));
  }

  list(query: PingPageQuery): Promise<Ping[]> {
    return this.spans.run('SELECT', () => this.inner.list(query));
  }
}
