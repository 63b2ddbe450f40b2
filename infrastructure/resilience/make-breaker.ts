import type { Logger } from '../../application/logger.port.js';
import type { Clock } from '../../domain/clock.port.js';
import { CacheUnavailableError, StoreOverloadedError, StoreUnavailableError } from '../../domain/errors.js';
import type { DependencyMetrics } from '../metrics/service-metrics.js';
import { CircuitBreakerGuard, type BreakerOptions } from './circuit-breaker.js';

/** What a breaker reads the time from, and where its state changes go. */
interface BreakerSurroundings {
  readonly clock: Clock;
  readonly metrics: DependencyMetrics;
  readonly logger: Logger;
}

/**
 * How long a circuit stays open before calls go through again to probe: long enough that a
 * dependency that is down costs a failing call only every couple of seconds, short enough that a
 * recovery is used within that time.
 */
const BREAKER_RESET_MS = 2_000;

/**
 * How long the store may answer nothing at all while a call waits before it counts as gone: its
 * calls (one insert, one page by primary key) take milliseconds, and the server itself cancels a
 * statement at two seconds, so a second of silence is a black-holed connection or a dead host,
 * not a slow query.
 */
const SILENT_STORE_MS = 1_000;

/**
 * A breaker with the service's thresholds (more than half the calls of a 10 s window failing, with
 * at least 5 calls in it), its state exported as a metric and logged on every change.
 */
function makeBreaker(
  name: string,
  unavailable: BreakerOptions['unavailable'],
  surroundings: BreakerSurroundings,
  extra: Pick<BreakerOptions, 'isFailure' | 'isRefusal' | 'silenceMs' | 'consecutiveFailures'> = {},
): CircuitBreakerGuard {
  const { clock, metrics, logger } = surroundings;
  const breaker = new CircuitBreakerGuard({
    name,
    clock,
    resetTimeoutMs: BREAKER_RESET_MS,
    errorThresholdPercentage: 50,
    volumeThreshold: 5,
    rollingWindowMs: 10_000,
    unavailable,
    ...extra,
  });
  metrics.setBreakerState(name, breaker.state);
  breaker.onStateChange((state) => {
    metrics.setBreakerState(name, state);
    logger.warn({ breaker: name, state }, `${name} circuit ${state}`);
  });
  return breaker;
}

/**
 * The store's breaker: only unavailability (StoreUnavailableError, decided once by the adapter)
 * counts. A defect means PostgreSQL answered; it is a 500 for that request, not an outage. It
 * also opens on 5 failures in a row whatever successes the window holds: after a busy, healthy
 * period the window alone needs many failures to be outnumbered. And it opens as soon as one
 * call has waited SILENT_STORE_MS with nothing answered since it began: a black-hole holds every
 * call until the client's read deadline, and under GET /ping load there is only one call to wait
 * on (its callers share it), so counting failures would take several deadlines.
 */
export function makeStoreBreaker(surroundings: BreakerSurroundings): CircuitBreakerGuard {
  const storeDown = (message: string) => new StoreUnavailableError(message);
  return makeBreaker('postgres', storeDown, surroundings, {
    isFailure: (error) => error instanceof StoreUnavailableError,
    // The bulkhead's refusal: the store was not asked, so it is neither failing nor answering.
    isRefusal: (error) => error instanceof StoreOverloadedError,
    consecutiveFailures: 5,
    silenceMs: SILENT_STORE_MS,
  });
}

/** Redis's breaker, shared by the cache and the lease: any failure of Redis counts. */
export function makeCacheBreaker(surroundings: BreakerSurroundings): CircuitBreakerGuard {
  const cacheDown = (message: string) => new CacheUnavailableError(message);
  return makeBreaker('redis', cacheDown, surroundings);
}
