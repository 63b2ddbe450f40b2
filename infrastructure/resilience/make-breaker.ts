import type { Logger } from '../../application/logger.port.js';
import type { Clock } from '../../domain/clock.port.js';
import { CacheUnavailableError, StoreUnavailableError } from '../../domain/errors.js';
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
 * A breaker with the service's thresholds (more than half the calls of a 10 s window failing, with
 * at least 5 calls in it), its state exported as a metric and logged on every change.
 */
function makeBreaker(
  name: string,
  unavailable: BreakerOptions['unavailable'],
  surroundings: BreakerSurroundings,
  extra: Pick<BreakerOptions, 'isFailure' | 'slowCallMs' | 'consecutiveFailures'> = {},
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
 * period the window alone needs many failures to be outnumbered. A call still pending past the
 * statement timeout counts as a failure: the server would have cancelled it by then, so only a
 * server that does not answer at all keeps it waiting (a black-hole), and the read deadline would
 * otherwise hold the first counted failure back by a further second.
 */
export function makeStoreBreaker(
  settings: { statementTimeoutMs: number },
  surroundings: BreakerSurroundings,
): CircuitBreakerGuard {
  const storeDown = (message: string) => new StoreUnavailableError(message);
  return makeBreaker('postgres', storeDown, surroundings, {
    isFailure: (error) => error instanceof StoreUnavailableError,
    consecutiveFailures: 5,
    slowCallMs: settings.statementTimeoutMs,
  });
}

/** Redis's breaker, shared by the cache and the lease: any failure of Redis counts. */
export function makeCacheBreaker(surroundings: BreakerSurroundings): CircuitBreakerGuard {
  const cacheDown = (message: string) => new CacheUnavailableError(message);
  return makeBreaker('redis', cacheDown, surroundings);
}
