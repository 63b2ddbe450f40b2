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
  /** The domain error a caller gets while the circuit is open (cache or store unavailable). */
  readonly unavailable: (message: string, cause: unknown) => Error;
}

/**
 * A circuit breaker shared by every call to one dependency (opossum underneath). While open,
 * calls fail at once with the dependency's domain error instead of each paying its timeout;
 * after `resetTimeoutMs` one probe decides whether to close again. Timeouts are left to the
 * clients (ioredis's commandTimeout, pg's query_timeout), so the breaker adds no timer per call.
 */
export class CircuitBreakerGuard {
  private readonly breaker: CircuitBreaker<[() => Promise<unknown>], unknown>;
  private readonly listeners: Array<(state: BreakerState) => void> = [];
  private readonly unavailable: BreakerOptions['unavailable'];

  constructor(options: BreakerOptions) {
    this.unavailable = options.unavailable;
    this.breaker = new CircuitBreaker((operation: () => Promise<unknown>) => operation(), {
      name: options.name,
      timeout: false,
      resetTimeout: options.resetTimeoutMs,
      errorThresholdPercentage: options.errorThresholdPercentage,
      volumeThreshold: options.volumeThreshold,
      rollingCountTimeout: options.rollingWindowMs,
      rollingPercentilesEnabled: false,
    });
    this.breaker.on('open', () => this.emit('open'));
    this.breaker.on('halfOpen', () => this.emit('half_open'));
    this.breaker.on('close', () => this.emit('closed'));
  }

  async run<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return (await this.breaker.fire(operation)) as T;
    } catch (error) {
      if ((error as { code?: string }).code === 'EOPENBREAKER') {
        throw this.unavailable(`${this.breaker.name} circuit is open`, error);
      }
      throw error;
    }
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
