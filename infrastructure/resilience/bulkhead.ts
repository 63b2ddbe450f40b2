/** What a bulkhead admits: calls at once, calls waiting for a slot, and how long one may wait. */
export interface BulkheadLimits {
  readonly concurrency: number;
  readonly queue: number;
  readonly queueWaitMs: number;
}

/**
 * At most `concurrency` calls at once; up to `queue` more wait for a slot, each for at most
 * `queueWaitMs`; anything beyond is refused at once with `refused()`. A saturated dependency
 * then costs a caller a bounded, short wait and a clear refusal, instead of a long wait in the
 * dependency's own queue that ends like an outage. Written here rather than taken from p-limit
 * or cockatiel: neither bounds how long a call waits in the queue, and that bound is what makes
 * a refusal fast.
 */
export class Bulkhead {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly limits: BulkheadLimits,
    private readonly refused: (why: string) => Error,
  ) {}

  async run<T>(call: () => Promise<T>): Promise<T> {
    if (this.active < this.limits.concurrency) this.active++;
    else await this.slot();
    try {
      return await call();
    } finally {
      // The slot passes straight to the next waiter, so a newcomer cannot take it in between.
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }

  /** Resolves when a finishing call hands this one its slot. */
  private slot(): Promise<void> {
    if (this.waiting.length >= this.limits.queue) {
      return Promise.reject(this.refused(`${this.limits.concurrency} calls running and ${this.limits.queue} waiting`));
    }
    return new Promise((resolve, reject) => {
      const admit = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(admit), 1);
        reject(this.refused(`no slot within ${this.limits.queueWaitMs} ms`));
      }, this.limits.queueWaitMs);
      this.waiting.push(admit);
    });
  }
}
