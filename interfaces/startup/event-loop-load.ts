import { monitorEventLoopDelay, type ELDHistogram } from 'node:perf_hooks';
import type { LoadSignal, ShedReason } from '../http/load-signal.js';

/**
 * How the event loop's lag is read: Node samples it natively every 10 ms; every 250 ms the
 * window's 99th percentile decides for the next 250 ms. Past 100 ms the process is answering
 * slower than a user notices and the probes have begun to wait: new work is refused until the
 * lag falls back. The threshold sits far above an idle loop's lag and far below the probes'
 * timeouts.
 */
const SAMPLE_RESOLUTION_MS = 10;
const WINDOW_MS = 250;
const MAX_EVENT_LOOP_DELAY_MS = 100;

/**
 * The process's load as the admission check reads it: a flag kept up by a timer, so a request
 * pays one comparison. Started with the listener, stopped by the drain.
 */
export class EventLoopLoad implements LoadSignal {
  private readonly histogram: ELDHistogram = monitorEventLoopDelay({ resolution: SAMPLE_RESOLUTION_MS });
  private timer: NodeJS.Timeout | undefined;
  private lagging = false;

  start(): void {
    this.histogram.enable();
    this.timer = setInterval(() => {
      this.lagging = this.histogram.percentile(99) / 1e6 > MAX_EVENT_LOOP_DELAY_MS;
      this.histogram.reset();
    }, WINDOW_MS).unref();
  }

  overloaded(): ShedReason | null {
    return this.lagging ? 'event_loop_delay' : null;
  }

  stop(): void {
    clearInterval(this.timer);
    this.histogram.disable();
    this.lagging = false;
  }
}
