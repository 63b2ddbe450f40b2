import type { Logger } from '../../application/logger.port.js';
import type { Metrics } from '../../application/metrics.port.js';
import { CacheUnavailableError, StoreUnavailableError } from '../../domain/errors.js';
import { CircuitBreakerGuard, type BreakerOptions } from './circuit-breaker.js';

/**
 * A breaker with the service's thresholds, its state exported as a metric and logged on every
 * change. It opens on 5 failures in a row (an outage: measured under a black-hole, it opened
 * about 1 s after the fault instead of 10-12 s with the window alone), or on half the calls of a
 * 10 s window failing after at least 5 (a dependency that fails intermittently).
 */
export function makeBreaker(
  name: string,
  resetTimeoutMs: number,
  unavailable: BreakerOptions['unavailable'],
  observers: { metrics: Metrics; logger: Logger },
  extra: Pick<BreakerOptions, 'isFailure' | 'slowCallMs'> = {},
): CircuitBreakerGuard {
  const breaker = new CircuitBreakerGuard({
    name,
    resetTimeoutMs,
    errorThresholdPercentage: 50,
    volumeThreshold: 5,
    rollingWindowMs: 10_000,
    consecutiveFailures: 5,
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
 * counts. A defect means PostgreSQL answered; it is a 500 for that request, not an outage. A call
 * still pending past the statement timeout counts at once: the server would have cancelled it
 * by then, so only a server that does not answer at all keeps it waiting (a black-hole), and the
 * read deadline would otherwise hold the first counted failure back by a further second.
 */
export function makeStoreBreaker(
  settings: { resetTimeoutMs: number; statementTimeoutMs: number },
  observers: { metrics: Metrics; logger: Logger },
): CircuitBreakerGuard {
  const storeDown = (message: string, cause: unknown) => new StoreUnavailableError(message, { cause });
  return makeBreaker('postgres', settings.resetTimeoutMs, storeDown, observers, {
    isFailure: (error) => error instanceof StoreUnavailableError,
    slowCallMs: settings.statementTimeoutMs,
  });
}

/** Redis's breaker, shared by the cache and the lease: any failure of Redis counts. */
export function makeCacheBreaker(
  resetTimeoutMs: number,
  observers: { metrics: Metrics; logger: Logger },
): CircuitBreakerGuard {
  const cacheDown = (message: string, cause: unknown) => new CacheUnavailableError(message, { cause });
  return makeBreaker('redis', resetTimeoutMs, cacheDown, observers);
}
