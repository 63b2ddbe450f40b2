import type { Clock } from './clock.port.js';
import type { DependencyMonitor } from './dependency-monitor.port.js';
import { InvalidInputError, StoreOverloadedError, StoreUnavailableError } from './errors.js';
import { FreshnessPolicy } from './freshness-policy.js';
import { noteProblem, pageQueryProblem, type Ping } from './ping.js';
import type { CachedPing, PingCache } from './ping-cache.port.js';
import { PingCacheTiers } from './ping-cache-tiers.js';
import type { PingPageQuery, PingStore } from './ping-store.port.js';
import type { RecordLease } from './record-lease.port.js';
import type { PingPolicy } from './ping-policy.js';
import { RefreshLease } from './refresh-lease.js';
import { SingleFlight } from './single-flight.js';
import type { StepTracer } from './step-tracer.port.js';

/**
 * What a `getPing` came to: the one vocabulary of the policy. The HTTP header, the JSON `source`
 * and the metric label are each spelled from it at the edge that shows them.
 * - `cached`: a fresh entry of the shared cache.
 * - `cached-locally`: the shared cache could not answer; a fresh entry of this process's tier.
 * - `recorded`: recorded now, and the shared cache took the entry.
 * - `recorded-locally`: recorded now, but only this process's tier took the entry.
 * - `stale`: the store is out; an entry past its freshness, within the grace, stands in.
 */
export type PingOutcome = 'cached' | 'cached-locally' | 'recorded' | 'recorded-locally' | 'stale';

export interface PingResult {
  readonly ping: Ping;
  readonly outcome: PingOutcome;
}

export interface PingPage {
  readonly items: Ping[];
  readonly nextBefore: number | null;
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
  readonly stepTracer?: StepTracer;
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
  /**
   * The refresh (lease, insert, cache write), shared by every request that needs it: one that
   * outlived its callers' patience goes on in the background, and later requests join it
   * instead of starting another insert.
   */
  private readonly refreshes = new SingleFlight<PingResult>();
  /** When the refresh in flight started (clock ms). */
  private refreshStartedAt = 0;
  private readonly freshness: FreshnessPolicy;
  private readonly tiers: PingCacheTiers;
  private readonly lease: RefreshLease;

  constructor(
    private readonly deps: PingServiceDeps,
    private readonly policy: PingPolicy,
  ) {
    this.freshness = new FreshnessPolicy(policy);
    this.tiers = new PingCacheTiers(deps.sharedCache, deps.localCache, LAST_PING_KEY, deps.monitor);
    this.lease = new RefreshLease(deps.lease, LEASE_KEY, policy, deps.clock, deps.monitor, deps.stepTracer);
  }

  getPing(): Promise<PingResult> {
    return this.flights.run(LAST_PING_KEY, () => this.readThrough());
  }

  async recordPing(note: string | null): Promise<Ping> {
    const problem = note === null ? null : noteProblem(note);
    if (problem) throw new InvalidInputError(problem);
    const ping = await this.recordInStore(note);
    await this.cache(ping);
    return ping;
  }

  async listPings(query: PingPageQuery): Promise<PingPage> {
    const problem = pageQueryProblem(query);
    if (problem) throw new InvalidInputError(problem);
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
    const { entry, sharedUsable } = await this.tiers.read();
    const now = this.deps.clock.now();
    if (entry && this.freshness.isFresh(entry, now)) {
      return { ping: entry.ping, outcome: sharedUsable ? 'cached' : 'cached-locally' };
    }
    const refreshing = this.refreshes.run(LAST_PING_KEY, () => {
      this.refreshStartedAt = now;
      return this.refresh(entry, sharedUsable);
    });
    const fallback = entry && this.freshness.mayServeStale(entry, now) ? entry : null;
    return fallback ? this.refreshedOrStale(refreshing, fallback) : refreshing;
  }

  /**
   * The refresh's answer if it comes within the stale fallback budget (counted from when the
   * refresh started), else the stale entry at once. The refresh is not cancelled: it goes on,
   * and once it has written the caches the next request gets its entry.
   */
  private refreshedOrStale(refreshing: Promise<PingResult>, fallback: CachedPing): Promise<PingResult> {
    const stale: PingResult = { ping: fallback.ping, outcome: 'stale' };
    // Nobody may be left to await it: its outcome is already with the monitor (and the next
    // request that finds the entry still stale meets a failure that repeats itself).
    refreshing.catch(() => undefined);
    const left = this.refreshStartedAt + this.policy.staleFallbackMs - this.deps.clock.now();
    if (left <= 0) return Promise.resolve(stale);
    return Promise.race([refreshing, this.deps.clock.sleep(left).then(() => stale)]);
  }

  private async refresh(previous: CachedPing | null, sharedUsable: boolean): Promise<PingResult> {
    // Without the shared cache no other instance could see our entry: nothing to coordinate.
    const lease = sharedUsable ? await this.lease.acquire() : null;
    try {
      const recorded = await this.lease.recordedElsewhere(lease, () => this.readFreshShared());
      if (recorded) return { ping: recorded.ping, outcome: 'cached' };
      let ping: Ping;
      try {
        ping = await this.recordInStore(null);
      } catch (error) {
        // Only an outage or an overload is hidden behind a stale entry; a defect must surface as one.
        const servable = previous && this.freshness.mayServeStale(previous, this.deps.clock.now());
        if (servable && isTransient(error)) return { ping: previous.ping, outcome: 'stale' };
        throw error;
      }
      const shared = await this.cache(ping);
      return { ping, outcome: sharedUsable && shared ? 'recorded' : 'recorded-locally' };
    } finally {
      if (lease?.kind === 'held') await lease.release();
    }
  }

  private async readFreshShared(): Promise<CachedPing | null> {
    const entry = await this.tiers.readShared();
    return entry && this.freshness.isFresh(entry, this.deps.clock.now()) ? entry : null;
  }

  /** Caches a just-recorded ping in both tiers; resolves to whether the shared tier took it. */
  private cache(ping: Ping): Promise<boolean> {
    const { entry, keepMs } = this.freshness.entryFor(ping, this.deps.clock.now());
    return this.tiers.write(entry, keepMs);
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
   * outage (reported once per outage by the monitor); StoreOverloadedError is a store with no
   * capacity left for now, not an outage (answered 503 overloaded, never reported); anything
   * else is a defect and goes up unchanged, to be answered 500 and reported with its stack.
   */
  private storeFailure(error: unknown): unknown {
    if (error instanceof StoreUnavailableError) this.deps.monitor.failed('store', error);
    return error;
  }
}

/** The store could not take the call now (down, or saturated): worth a stale answer, unlike a defect. */
function isTransient(error: unknown): boolean {
  return error instanceof StoreUnavailableError || error instanceof StoreOverloadedError;
}
