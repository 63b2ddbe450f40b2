import type { Clock } from '../../domain/clock.port.js';
import { RollingWindow } from './rolling-window.js';

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerOptions {
  /** Name in logs and metrics. */
  readonly name: string;
  /** Where the breaker reads the time: the system clock, or a fake one in tests. */
  readonly clock: Clock;
  /** How long the circuit stays open before calls are let through again to probe. */
  readonly resetTimeoutMs: number;
  /** Failure percentage over the rolling window above which the circuit opens. */
  readonly errorThresholdPercentage: number;
  /** Calls needed in the window before the percentage counts (no opening on one blip). */
  readonly volumeThreshold: number;
  /** Length of the rolling window. */
  readonly rollingWindowMs: number;
  /**
   * Failures in a row (no success between them) that open the circuit whatever the window holds:
   * a dependency that has just gone dark opens it within a few calls, not once the successes of
   * the last window are outnumbered.
   */
  readonly consecutiveFailures?: number;
  /**
   * Which errors say the dependency is unavailable. The others (a defect: a missing table, a
   * bug) mean it answered, so they neither count towards opening nor keep a probe from closing.
   * Default: every error counts.
   */
  readonly isFailure?: (error: unknown) => boolean;
  /**
   * A call still pending after this long counts as a failure (it goes on, and its answer is still
   * used): a black-holed dependency holds calls until their deadline, which would otherwise delay
   * the first counted failure by the whole deadline. Unset: pending calls are not timed.
   */
  readonly slowCallMs?: number;
  /** The domain error a caller gets while the circuit is open (cache or store unavailable). */
  readonly unavailable: (message: string) => Error;
}

/** A call in progress: when it started, the success count then, and whether it was counted slow. */
interface PendingCall {
  readonly startedAt: number;
  readonly startEpoch: number;
  countedSlow: boolean;
}

/**
 * A circuit breaker shared by every call to one dependency. While open, calls fail at once with
 * the dependency's domain error instead of each paying its timeout; once `resetTimeoutMs` has
 * passed, calls go through again and the first outcome decides: a success (or a defect) closes
 * it, a counted failure opens it again.
 *
 * It has no timers: what time changes (the end of the open period, a call turning slow, the
 * window sliding) is read from the clock whenever the breaker is used or its state is read, so a
 * fake clock drives it in tests and nothing keeps the process alive. Timeouts are left to the
 * clients (ioredis's commandTimeout, pg's query_timeout): the breaker never cuts a call short.
 */
export class CircuitBreakerGuard {
  private readonly listeners: Array<(state: BreakerState) => void> = [];
  private readonly clock: Clock;
  private readonly isFailure: (error: unknown) => boolean;
  private readonly window: RollingWindow;
  /** Calls in progress, oldest first, while `slowCallMs` may still count them. */
  private readonly pending = new Set<PendingCall>();
  private current: BreakerState = 'closed';
  private openedAt = 0;
  /** Bumped by every success; a call remembers its value at start. */
  private successEpoch = 0;
  private failuresInARow = 0;

  constructor(private readonly options: BreakerOptions) {
    this.clock = options.clock;
    this.isFailure = options.isFailure ?? (() => true);
    this.window = new RollingWindow(options.rollingWindowMs);
  }

  async run<T>(operation: () => Promise<T>): Promise<T> {
    this.catchUp();
    if (this.current === 'open') {
      throw this.options.unavailable(`${this.options.name} circuit is open`);
    }
    const call: PendingCall = { startedAt: this.clock.now(), startEpoch: this.successEpoch, countedSlow: false };
    if (this.options.slowCallMs !== undefined) this.pending.add(call);
    let result: T;
    try {
      result = await operation();
    } catch (error) {
      this.pending.delete(call);
      if (!call.countedSlow) {
        if (this.counts(error, call.startEpoch)) this.failed();
        else this.answered();
      }
      throw error;
    }
    this.pending.delete(call);
    this.successEpoch++;
    this.failuresInARow = 0;
    if (!call.countedSlow) this.answered();
    return result;
  }

  get state(): BreakerState {
    this.catchUp();
    return this.current;
  }

  onStateChange(listener: (state: BreakerState) => void): void {
    this.listeners.push(listener);
  }

  /** Applies what the clock says has happened since the breaker was last used. */
  private catchUp(): void {
    const now = this.clock.now();
    const slowCallMs = this.options.slowCallMs;
    if (slowCallMs !== undefined) {
      for (const call of this.pending) {
        if (now - call.startedAt < slowCallMs) break;
        this.pending.delete(call);
        call.countedSlow = true;
        // Counted at most once, like any failure; a success since it started means it is late.
        if (call.startEpoch === this.successEpoch) this.failed();
      }
    }
    // `now < openedAt`: the clock was set back; probing early is harmless, waiting it out is not.
    if (this.current === 'open' && (now - this.openedAt >= this.options.resetTimeoutMs || now < this.openedAt)) {
      this.moveTo('half_open');
    }
  }

  /** The dependency answered: a success, or an error that does not say it is unavailable. */
  private answered(): void {
    if (this.current === 'half_open') this.close();
    else this.window.record(this.clock.now(), 'success');
  }

  private failed(): void {
    const now = this.clock.now();
    this.failuresInARow++;
    if (this.current === 'half_open') {
      this.open(now);
      return;
    }
    this.window.record(now, 'failure');
    if (this.current === 'open') return;
    const { consecutiveFailures, volumeThreshold, errorThresholdPercentage } = this.options;
    const { calls, failures } = this.window.totals(now);
    const tooManyInARow = consecutiveFailures !== undefined && this.failuresInARow >= consecutiveFailures;
    const tooManyInWindow = calls >= volumeThreshold && (failures / calls) * 100 > errorThresholdPercentage;
    if (tooManyInARow || tooManyInWindow) this.open(now);
  }

  /**
   * A failure counts only when it says the dependency is unavailable now: not a defect, and not
   * a call that started before a later call succeeded. Those late failures are calls caught by
   * an outage that has already ended (a black-holed connection reaching its read deadline after
   * the database came back); counting them opened the circuit against a healthy database.
   */
  private counts(error: unknown, startEpoch: number): boolean {
    return this.isFailure(error) && startEpoch === this.successEpoch;
  }

  private open(now: number): void {
    this.openedAt = now;
    this.moveTo('open');
  }

  /** Closing starts afresh: the failures that opened it no longer speak for the dependency. */
  private close(): void {
    this.window.clear();
    this.failuresInARow = 0;
    this.moveTo('closed');
  }

  private moveTo(state: BreakerState): void {
    if (this.current === state) return;
    this.current = state;
    for (const listener of this.listeners) listener(state);
  }
}
