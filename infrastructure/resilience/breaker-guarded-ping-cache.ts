import type { CachedPing, PingCache } from '../../domain/ping-cache.port.js';
import type { CircuitBreakerGuard } from './circuit-breaker.js';

/** A PingCache whose calls go through the shared cache breaker. */
export class BreakerGuardedPingCache implements PingCache {
  constructor(
    private readonly inner: PingCache,
    private readonly guard: CircuitBreakerGuard,
  ) {}

  get(key: string): Promise<CachedPing | null> {
    return this.guard.run(() => this.inner.get(key));
  }

  set(key: string, entry: CachedPing, ttlMs: number): Promise<void> {
    return this.guard.run(() => this.inner.set(key, entry, ttlMs));
  }
}
