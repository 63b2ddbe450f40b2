import type { LoadSignal, ShedReason } from '../load-signal.js';
import { overloadedError } from '../http-errors.js';
import { PROBE_PATHS } from '../routes/health-routes.js';

/**
 * Past this many requests in progress at once, more are refused: each holds memory (the heap is
 * capped) and waits behind the others, so a process that accepts them all answers none in time.
 * Well above what the store's bulkhead lets through, so only a flood reaches it.
 */
export const MAX_IN_FLIGHT = 512;

/** Load shedding's admission check, one step of the request envelope (request-envelope.ts). */
export interface Admission {
  /**
   * Admits a request to `path`, or throws the 503 `overloaded` error before any of its work is
   * done. True when the request now counts as in progress: `release()` it once answered.
   */
  admit(path: string): boolean;
  release(): void;
}

/**
 * Load shedding: a request that arrives while this process is overloaded is refused, so the work
 * already admitted keeps a bounded latency and the probes stay prompt. Readiness is untouched:
 * when every instance is overloaded, turning them all unready would empty the fleet; the fast
 * 503s are the shedding, and the autoscaler adds pods. A step of the envelope, not a middleware of
 * its own: its count needs a frame around the rest of the request, and the envelope is that frame.
 */
export function admissionControl(load: LoadSignal, countShed: (reason: ShedReason) => void): Admission {
  let inFlight = 0;
  return {
    admit(path) {
      // The probes are never shed; the scrape that shows the shedding is on the metrics listener,
      // which has no admission check.
      if (PROBE_PATHS.has(path)) return false;
      const reason: ShedReason | null = inFlight >= MAX_IN_FLIGHT ? 'in_flight' : load.overloaded();
      if (reason) {
        countShed(reason);
        throw overloadedError();
      }
      inFlight++;
      return true;
    },
    release() {
      inFlight--;
    },
  };
}
