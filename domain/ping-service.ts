import type { Clock } from './clock.port.js';
import type { DependencyMonitor } from './dependency-monitor.port.js';
import { InvalidInputError, StoreUnavailableError } from './errors.js';
import { isNoteWithinLimit, isStorableText, NOTE_TOO_LONG, type Ping } from './ping.js';
import type { CachedPing, PingCache } from './ping-cache.port.js';
import type { PingPageQuery, PingStore } from './ping-store.port.js';
import type { RecordLease } from './record-lease.port.js';
import { SingleFlight } from './single-flight.js';

/** HIT: fresh shared cache. MISS: recorded now. STALE: store failed, old entry served. BYPASS: shared cache unusable. */
export type CacheOutcome = 'HIT' | 'MISS' | 'STALE' | 'BYPASS';
export type PingSource = 'cache' | 'database' | 'stale';

export interface PingResult {
  readonly ping: Ping;
  readonly outcome: CacheOutcome;
  readonly source: PingSource;
}

export interface PingPage {
  readonly items: Ping[];
  readonly nextBefore: number | null;
}

export interface PingPolicy {
  /** How long a recorded ping is served from the cache without touching the store. */
  readonly ttlMs: number;
  /** How long past its freshness an entry may still be served if the store fails. */
  readonly staleGraceMs: number;
  /** Lifetime of the cross-instance refresh lease; bounds how long a crashed holder blocks others. */
  readonly leaseTtlMs: number;
  /** How long a instance that lost the lease waits for the winner's entry before recording itself. */
  readonly leaseWaitMs: number;
  /** Interval of the cache reads during that wait. */
  readonly leasePollMs: number;
}

export interface PingServiceDeps {
  /** The cache shared by every instance (Redis in production). */
  readonly sharedCache: PingCache;
  /** This process's own tier: keeps the once-per-TTL promise while the shared cache is down. */
  readonly localCache: PingCache;
  readonly store: PingStore;
  readonly clock: Clock;
  /** Cross-instance stampede control; null when there is only one instance by construction. */
  readonly lease: RecordLease | null;
  readonly monitor: DependencyMonitor;
}

export const LAST_PING_KEY = 'last_ping';
const LEASE_KEY = `${LAST_PING_KEY}:lease`;

/**
 * The cache-aside policy of `/ping`: a fresh cached entry is served without touching the store;
 * otherwise one ping is recorded and cached. Concurrent calls in a process share one cache read
 * and, on a miss, one refresh; across processes a lease lets one of them record while the others
 * wait for its entry.
 */
export class PingService {
  /**
   * Coalesces concurrent `getPing` calls: a burst costs one cache read, not one per request, so a
   * cold-key stampede cannot push the cache past its command timeout and into BYPASS.
   */
  private readonly flights = new SingleFlight<PingResult>();

  constructor(
    private readonly deps: PingServiceDeps,
    private readonly policy: PingPolicy,
  ) {}

  getPing(): Promise<PingResult> {
    return this.flights.run(LAST_PING_KEY, () => this.readThrough());
  }

  async recordPing(note: string | null): Promise<Ping> {
    if (note !== null && !isNoteWithinLimit(note)) throw new InvalidInputError(NOTE_TOO_LONG);
    if (note !== null && !isStorableText(note)) {
      throw new InvalidInputError('note must be valid Unicode text without NUL characters');
    }
    const ping = await this.recordInStore(note);
    await this.writeCache(ping);
    return ping;
  }

  async listPings(query: PingPageQuery): Promise<PingPage> {
    if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > 100) {
      throw new InvalidInputError('limit must be an integer from 1 to 100');
    }
    if (query.before !== undefined && (!Number.isSafeInteger(query.before) || query.before < 1)) {
      throw new InvalidInputError('before must be a positive integer');
    }
    let items: Ping[];
    try {
      items = await this.deps.store.list(query);
      this.deps.monitor.succeeded('store');
    } catch (error) {
      throw this.storeFailure(error);
    }
    const last = items.at(-1);
    return { items, nextBefore: items.length === query.limit && last ? last.id : null };
  }

  private async readThrough(): Promise<PingResult> {
    const { entry, sharedUsable } = await this.readCache();
    if (entry && entry.freshUntil > this.deps.clock.now()) {
      return { ping: entry.ping, outcome: sharedUsable ? 'HIT' : 'BYPASS', source: 'cache' };
    }
    return this.refresh(entry, sharedUsable);
  }

  private async refresh(previous: CachedPing | null, sharedUsable: boolean): Promise<PingResult> {
    const lease = sharedUsable ? await this.acquireLease() : null;
    if (lease === 'lost') {
      const winner = await this.awaitFreshEntry();
      if (winner) return { ping: winner.ping, outcome: 'HIT', source: 'cache' };
    }
    try {
      let ping: Ping;
      try {
        ping = await this.recordInStore(null);
      } catch (error) {
        // Only an outage is hidden behind a stale entry; a defect must surface as one.
        const stale = previous && previous.freshUntil + this.policy.staleGraceMs > this.deps.clock.now();
        if (stale && error instanceof StoreUnavailableError) {
          return { ping: previous.ping, outcome: 'STALE', source: 'stale' };
        }
        throw error;
      }
      const cachedShared = await this.writeCache(ping);
      return { ping, outcome: sharedUsable && cachedShared ? 'MISS' : 'BYPASS', source: 'database' };
    } finally {
      if (typeof lease === 'string') await this.releaseLease(lease);
    }
  }

  /** Reads the shared cache, falling back to the local tier when it cannot answer. */
  private async readCache(): Promise<{ entry: CachedPing | null; sharedUsable: boolean }> {
    try {
      const entry = await this.deps.sharedCache.get(LAST_PING_KEY);
      this.deps.monitor.succeeded('cache');
      return { entry, sharedUsable: true };
    } catch (error) {
      this.deps.monitor.failed('cache', error);
      return { entry: await this.deps.localCache.get(LAST_PING_KEY), sharedUsable: false };
    }
  }

  /** Writes both tiers; resolves to whether the shared tier took it. Never throws. */
  private async writeCache(ping: Ping): Promise<boolean> {
    const entry: CachedPing = { ping, freshUntil: this.deps.clock.now() + this.policy.ttlMs };
    const keepMs = this.policy.ttlMs + this.policy.staleGraceMs;
    await this.deps.localCache.set(LAST_PING_KEY, entry, keepMs);
    try {
      await this.deps.sharedCache.set(LAST_PING_KEY, entry, keepMs);
      this.deps.monitor.succeeded('cache');
      return true;
    } catch (error) {
      this.deps.monitor.failed('cache', error);
      return false;
    }
  }

  private async recordInStore(note: string | null): Promise<Ping> {
    try {
      const ping = await this.deps.store.record(note);
      this.deps.monitor.succeeded('store');
      return ping;
    } catch (error) {
      throw this.storeFailure(error);
    }
  }

  /**
   * The store adapter has already decided what its failure means: StoreUnavailableError is an
   * outage (reported once per outage by the monitor); anything else is a defect and goes up
   * unchanged, to be answered 500 and reported with its stack.
   */
  private storeFailure(error: unknown): unknown {
    if (error instanceof StoreUnavailableError) this.deps.monitor.failed('store', error);
    return error;
  }

  /** A token when we hold the lease, 'lost' when another instance does, null when leasing failed. */
  private async acquireLease(): Promise<string | 'lost' | null> {
    if (!this.deps.lease) return null;
    try {
      return (await this.deps.lease.acquire(LEASE_KEY, this.policy.leaseTtlMs)) ?? 'lost';
    } catch (error) {
      this.deps.monitor.failed('cache', error);
      return null;
    }
  }

  private async releaseLease(token: string): Promise<void> {
    try {
      await this.deps.lease?.release(LEASE_KEY, token);
    } catch (error) {
      // The lease expires by itself; a failed release only delays the next refresh.
      this.deps.monitor.failed('cache', error);
    }
  }

  /** Polls the shared cache while another instance records; null when it did not show in time. */
  private async awaitFreshEntry(): Promise<CachedPing | null> {
    const { clock } = this.deps;
    const deadline = clock.now() + this.policy.leaseWaitMs;
    while (clock.now() < deadline) {
      await clock.sleep(Math.min(this.policy.leasePollMs, deadline - clock.now()));
      try {
        const entry = await this.deps.sharedCache.get(LAST_PING_KEY);
        if (entry && entry.freshUntil > clock.now()) return entry;
      } catch (error) {
        this.deps.monitor.failed('cache', error);
        return null;
      }
    }
    return null;
  }
}
