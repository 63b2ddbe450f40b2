import type { LoadSignal, ShedReason } from '../http/load-signal.js';

/**
 * How the event loop's lag is read: a timer asks to run every 50 ms, and how late it runs is the
 * lag; the shedding decision follows a moving average of it (each sample weighs a third), so a
 * single late tick (a garbage collection, a neighbour taking the CPU, a container's CPU quota
 * running out for the rest of its period) does not shed, while a loop that stays behind does,
 * within a few ticks. Past 150 ms every request, the probes' included, waits that long before it
 * is even read: new work is refused until the lag falls back below it. A timer of our own rather
 * than Node's monitorEventLoopDelay, whose histogram records nothing while the loop is blocked
 * and so reads a drowning loop as a quiet one.
 */
const TICK_MS = 50;
const SAMPLE_WEIGHT = 1 / 3;
const MAX_LAG_MS = 150;

/**
 * The process's load as the admission check reads it: a flag kept up by a timer, so a request
 * pays one comparison. Started with the listener, stopped by the drain.
 */
export class EventLoopLoad implements LoadSignal {
  private timer: NodeJS.Timeout | undefined;
  private averageLagMs = 0;

  start(): void {
    let expected = performance.now() + TICK_MS;
    this.timer = setInterval(() => {
      const now = performance.now();
      const lag = Math.max(0, now - expected);
      this.averageLagMs += (lag - this.averageLagMs) * SAMPLE_WEIGHT;
      expected = now + TICK_MS;
    }, TICK_MS).unref();
  }

  overloaded(): ShedReason | null {
    return this.averageLagMs > MAX_LAG_MS ? 'event_loop_delay' : null;
  }

  stop(): void {
    clearInterval(this.timer);
    this.averageLagMs = 0;
  }
}
