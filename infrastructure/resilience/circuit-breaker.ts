import CircuitBreaker from 'opossum';

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerOptions {
  /** Name in logs and metrics. */
  readonly name: string;
  /** How long the circuit stays open before one probe call is let through. */
  readonly resetTimeoutMs: number;
  /** Failure percentage over the rolling window that opens the circuit. */
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
   * A call still pending after this long counts as a failure there and then (it goes on, and
   * its answer is still used): a black-holed dependency holds calls until their deadline, which
   * would otherwise delay the first counted failure by the whole deadline. Unset: no timer.
   */
  readonly slowCallMs?: number;
  /** The domain error a caller gets while the circuit is open (cache or store unavailable). */
  readonly unavailable: (message: string, cause: unknown) => Error;
}

/**
 * A circuit breaker shared by every call to one dependency (opossum underneath). While open,
 * calls fail at once with the dependency's domain error instead of each paying its timeout;
 * after `resetTimeoutMs` one probe decides whether to close again. Timeouts are left to the
 * clients (ioredis's commandTimeout, pg's query_timeout): the breaker never cuts a call short, and
 * its only per-call timer is the optional slow-call one, which counts a call without ending it.
 */
export class CircuitBreakerGuard {
  private readonly breaker: CircuitBreaker<[operation: () => Promise<unknown>, startEpoch: number], unknown>;
  private readonly listeners: Array<(state: BreakerState) => void> = [];
  private readonly unavailable: BreakerOptions['unavailable'];
  private readonly isFailure: (error: unknown) => boolean;
  private readonly consecutiveFailures: number | undefined;
  private readonly slowCallMs: number | undefined;
  /** Bumped by every success; a call remembers its value at start. */
  private successEpoch = 0;
  private failuresInARow = 0;

  constructor(options: BreakerOptions) {
    this.unavailable = options.unavailable;
    this.isFailure = options.isFailure ?? (() => true);
    this.consecutiveFailures = options.consecutiveFailures;
    this.slowCallMs = options.slowCallMs;
    this.breaker = new CircuitBreaker((operation: () => Promise<unknown>, _startEpoch: number) => operation(), {
      name: options.name,
      timeout: false,
      resetTimeout: options.resetTimeoutMs,
      errorThresholdPercentage: options.errorThresholdPercentage,
      volumeThreshold: options.volumeThreshold,
      rollingCountTimeout: options.rollingWindowMs,
      rollingPercentilesEnabled: false,
      // opossum passes fire()'s arguments after the error (its typings omit them); true: not a
      // failure, counted as a success.
      errorFilter: ((error: unknown, _operation: unknown, startEpoch: number) => !this.counts(error, startEpoch)) as (
        error: unknown,
      ) => boolean,
    });
    this.breaker.on('open', () => this.emit('open'));
    this.breaker.on('halfOpen', () => this.emit('half_open'));
    this.breaker.on('close', () => this.emit('closed'));
  }

  async run<T>(operation: () => Promise<T>): Promise<T> {
    const startEpoch = this.successEpoch;
    let countedSlow = false;
    const slow =
      this.slowCallMs === undefined
        ? undefined
        : setTimeout(() => {
            countedSlow = true;
            if (startEpoch === this.successEpoch) this.countFailure();
          }, this.slowCallMs);
    let result: T;
    try {
      result = (await this.breaker.fire(operation, startEpoch)) as T;
    } catch (error) {
      if ((error as { code?: string }).code === 'EOPENBREAKER') {
        throw this.unavailable(`${this.breaker.name} circuit is open`, error);
      }
      if (!countedSlow && this.counts(error, startEpoch)) this.countFailure();
      throw error;
    } finally {
      clearTimeout(slow);
    }
    this.successEpoch++;
    this.failuresInARow = 0;
    return result;
  }

  private countFailure(): void {
    this.failuresInARow++;
    if (this.consecutiveFailures === undefined || !this.breaker.closed) return;
    if (this.failuresInARow >= this.consecutiveFailures) this.breaker.open();
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

  get state(): BreakerState {
    if (this.breaker.opened) return 'open';
    return this.breaker.halfOpen ? 'half_open' : 'closed';
  }

  onStateChange(listener: (state: BreakerState) => void): void {
    this.listeners.push(listener);
  }

  /** Stops the rolling-window timers. */
  close(): void {
    this.breaker.shutdown();
  }

  private emit(state: BreakerState): void {
    for (const listener of this.listeners) listener(state);
  }
}
