import type { Logger } from '../../application/logger.port.js';
import type { DependencyMetrics } from '../metrics/service-metrics.js';
import { CacheUnavailableError, StoreUnavailableError } from '../../domain/errors.js';
import { CircuitBreakerGuard, type BreakerOptions } from './circuit-breaker.js';

/**
 * How long a circuit stays open before one probe call: long enough that a dependency that is
 * down costs a failing call only every couple of seconds, short enough that a recovery is used
 * within that time.
 */
const BREAKER_RESET_MS = 2_000;

/**
 * A breaker with the service's thresholds (half the calls of a 10 s window failing, after at
 * least 5 calls), its state exported as a metric and logged on every change.
 */
function makeBreaker(
  name: string,
  unavailable: BreakerOptions['unavailable'],
  observers: { metrics: DependencyMetrics; logger: Logger },
  extra: Pick<BreakerOptions, 'isFailure' | 'slowCallMs' | 'consecutiveFailures'> = {},
): CircuitBreakerGuard {
  const breaker = new CircuitBreakerGuard({
    name,
    resetTimeoutMs: BREAKER_RESET_MS,
    errorThresholdPercentage: 50,
    volumeThreshold: 5,
    rollingWindowMs: 10_000,
    unavailable,
    ...extra,
  });
  observers.metrics.setBreakerState(name, breaker.state);
  breaker.onStateChange((state) => {
    observers.metrics.setBreakerState(name, state);
    observers.logger.warn({ breaker: name, state }, `${name} circuit ${state}`);
  });
  return breaker;
}

/**
 * The store's breaker: only unavailability (StoreUnavailableError, decided once by the adapter)
 * counts. A defect means PostgreSQL answered; it is a 500 for that request, not an outage. It
 * also opens on 5 failures in a row whatever successes the window holds, so a store that has
 * just gone dark opens it within a few calls, not once a busy window's successes are
 * outnumbered. A call still pending past the statement timeout counts at once: the server would have cancelled it
 * by then, so only a server that does not answer at all keeps it waiting (a black-hole), and the
 * read deadline would otherwise hold the first counted failure back by a further second.
 */
export function makeStoreBreaker(
  settings: { statementTimeoutMs: number },
  observers: { metrics: DependencyMetrics; logger: Logger },
): CircuitBreakerGuard {
  const storeDown = (message: string, cause: unknown) => new StoreUnavailableError(message, { cause });
  return makeBreaker('postgres', storeDown, observers, {
    isFailure: (error) => error instanceof StoreUnavailableError,
    consecutiveFailures: 5,
    slowCallMs: settings.statementTimeoutMs,
  });
}

/** Redis's breaker, shared by the cache and the lease: any failure of Redis counts. */
export function makeCacheBreaker(observers: { metrics: DependencyMetrics; logger: Logger }): CircuitBreakerGuard {
  const cacheDown = (message: string, cause: unknown) => new CacheUnavailableError(message, { cause });
  return makeBreaker('redis', cacheDown, observers);
}
