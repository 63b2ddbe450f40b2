import type { Clock } from './clock.port.js';
import type { DependencyMonitor } from './dependency-monitor.port.js';
import type { RecordLease } from './record-lease.port.js';
import { UNTRACED_STEPS, type StepTracer } from './step-tracer.port.js';

/** The timings of the cross-instance refresh lease. */
export interface LeaseTimings {
  /** Lifetime of the cross-instance refresh lease; bounds how long a crashed holder blocks others. */
  readonly leaseTtlMs: number;
  /** How long a instance that lost the lease waits for the winner's entry before recording itself. */
  readonly leaseWaitMs: number;
  /** Interval of the cache reads during that wait. */
  readonly leasePollMs: number;
}

/**
 * The lease's timings. A refresh is one insert and one cache write, well inside a second, so a
 * waiter gives the holder a second before recording itself; a holder that crashed blocks the
 * others for at most two; waiters look for its entry every 25 ms, a small cost to the shared
 * cache for a quick hand-over.
 */
export const LEASE_TIMINGS: LeaseTimings = { leaseTtlMs: 2_000, leaseWaitMs: 1_000, leasePollMs: 25 };

/**
 * What trying to take the lease came to. Only `held` carries a release: a lease another instance
 * holds, or one that could not be asked for, is never released by us.
 */
export type LeaseAttempt =
  | { readonly kind: 'held'; release(): Promise<unknown> }
  | { readonly kind: 'taken' }
  | { readonly kind: 'unavailable' };

const TAKEN: LeaseAttempt = { kind: 'taken' };
const UNAVAILABLE: LeaseAttempt = { kind: 'unavailable' };

/**
 * Lets one instance of many refresh a key while the others wait for its entry. The lease lives
 * in the shared cache, so its failures are reported as cache failures; none of them is fatal:
 * without a lease every instance simply records for itself.
 */
export class RefreshLease {
  constructor(
    /** Null when there is only one instance by construction. */
    private readonly lease: RecordLease | null,
    private readonly key: string,
    private readonly timings: LeaseTimings,
    private readonly clock: Clock,
    private readonly monitor: DependencyMonitor,
    private readonly steps: StepTracer = UNTRACED_STEPS,
  ) {}

  acquire(): Promise<LeaseAttempt> {
    const lease = this.lease;
    if (!lease) return Promise.resolve(UNAVAILABLE);
    return this.steps.step(
      'lease take',
      () => this.take(lease),
      (attempt) => attempt.kind,
    );
  }

  /**
   * The entry another instance recorded for this refresh, or null. With the lease taken, the
   * holder's, waited for. With it ours, one recorded by an instance that let the lease go between
   * our miss and our lease: found, it is the answer, and the ping is not recorded twice.
   */
  recordedElsewhere<T>(attempt: LeaseAttempt | null, readEntry: () => Promise<T | null>): Promise<T | null> {
    if (attempt?.kind === 'taken') return this.awaitHolder(readEntry);
    if (attempt?.kind === 'held') return readEntry().catch(() => null);
    return Promise.resolve(null);
  }

  /**
   * While the holder records, polls `readEntry` every `leasePollMs` for at most `leaseWaitMs`;
   * null when nothing showed in time. A failed read ends the wait at once: the holder's entry
   * cannot reach us through a cache we cannot read.
   */
  awaitHolder<T>(readEntry: () => Promise<T | null>): Promise<T | null> {
    return this.steps.step(
      'lease wait',
      () => this.poll(readEntry),
      (entry) => (entry === null ? 'gave up' : 'found'),
    );
  }

  private async take(lease: RecordLease): Promise<LeaseAttempt> {
    let token: string | null;
    try {
      token = await lease.acquire(this.key, this.timings.leaseTtlMs);
    } catch (error) {
      this.monitor.failed('cache', error);
      return UNAVAILABLE;
    }
    if (token === null) return TAKEN;
    return {
      kind: 'held',
      release: () =>
        this.steps.step(
          'lease release',
          () => this.release(lease, token),
          (done) => done,
        ),
    };
  }

  private async poll<T>(readEntry: () => Promise<T | null>): Promise<T | null> {
    const { clock } = this;
    const deadline = clock.now() + this.timings.leaseWaitMs;
    while (clock.now() < deadline) {
      await clock.sleep(Math.min(this.timings.leasePollMs, deadline - clock.now()));
      try {
        const entry = await readEntry();
        if (entry !== null) return entry;
      } catch (error) {
        this.monitor.failed('cache', error);
        return null;
      }
    }
    return null;
  }

  /** Resolves to what came of it: a failed release is not thrown (the lease expires by itself). */
  private async release(lease: RecordLease, token: string): Promise<'released' | 'failed'> {
    try {
      await lease.release(this.key, token);
      return 'released';
    } catch (error) {
      // A failed release only delays the next refresh.
      this.monitor.failed('cache', error);
      return 'failed';
    }
  }
}
