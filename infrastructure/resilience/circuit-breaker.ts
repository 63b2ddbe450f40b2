import type { Clock } from '../../domain/clock.port.js';
import { RollingWindow } from './rolling-window.js';
import { SilenceWatch } from './silence-watch.js';

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
   * Which errors say nothing of the dependency, since it was never asked (a call refused before
   * it, as saturated): neither a failure nor an answer. Default: none.
   */
  readonly isRefusal?: (error: unknown) => boolean;
  /**
   * While a call waits, a dependency that has answered nothing for this long (no call succeeded
   * since that call began, or for this long before now) is gone: the circuit opens there and
   * then (the waiting calls go on, and their answers are still used). A black-holed dependency
   * holds calls until their deadline, calls caught at the fault hold every slot for that long,
   * and callers that share one call (single-flight) make only that one: counting failures would
   * open the circuit only after several deadlines. Unset: silence is not timed.
   */
  readonly silenceMs?: number;
  /** The domain error a caller gets while the circuit is open (cache or store unavailable). */
  readonly unavailable: (message: string) => Error;
}

/**
 * A circuit breaker shared by every call to one dependency. While open, calls fail at once with
 * the dependency's domain error instead of each paying its timeout; once `resetTimeoutMs` has
 * passed, calls go through again and the first outcome decides: a success (or a defect) closes
 * it, a counted failure opens it again.
 *
 * What time changes (the end of the open period, a call turning slow, the window sliding) is read
 * from the clock whenever the breaker is used or its state is read, so a fake clock drives it in
 * tests; its silence watch alone sets a timer, to see a dependency gone silent when no other call
 * comes. Timeouts are left to the clients (ioredis's commandTimeout, pg's query_timeout): the
 * breaker never cuts a call short.
 */
export class CircuitBreakerGuard {
  private readonly listeners: Array<(state: BreakerState) => void> = [];
  private readonly clock: Clock;
  private readonly isFailure: (error: unknown) => boolean;
  private readonly isRefusal: (error: unknown) => boolean;
  private readonly window: RollingWindow;
  /** Opens the circuit on a dependency gone silent, when `silenceMs` is set. */
  private readonly silence: SilenceWatch | null;
  private current: BreakerState = 'closed';
  private openedAt = 0;
  /** Bumped by every success; a call remembers its value at start. */
  private successEpoch = 0;
  private failuresInARow = 0;

  constructor(private readonly options: BreakerOptions) {
    this.clock = options.clock;
    this.isFailure = options.isFailure ?? (() => true);
    this.isRefusal = options.isRefusal ?? (() => false);
    this.window = new RollingWindow(options.rollingWindowMs);
    this.silence =
      options.silenceMs === undefined
        ? null
        : new SilenceWatch(this.clock, options.silenceMs, () => {
            // One failure for the silence, and the circuit opens whatever the counts say.
            this.failed();
            if (this.current !== 'open') this.open(this.clock.now());
          });
  }

  async run<T>(operation: () => Promise<T>): Promise<T> {
    this.catchUp();
    if (this.current === 'open') {
      throw this.options.unavailable(`${this.options.name} circuit is open`);
    }
    const startEpoch = this.successEpoch;
    const waiting = this.silence?.begin();
    let result: T;
    try {
      result = await operation();
    } catch (error) {
      const refused = this.isRefusal(error);
      this.silence?.end(waiting!, !refused && !this.isFailure(error));
      if (!waiting?.caught && !refused) {
        if (this.counts(error, startEpoch)) this.failed();
        else this.answered();
      }
      throw error;
    }
    this.silence?.end(waiting!, true);
    this.successEpoch++;
    this.failuresInARow = 0;
    if (!waiting?.caught) this.answered();
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
    this.silence?.check();
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
