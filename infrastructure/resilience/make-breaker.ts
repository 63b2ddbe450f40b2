import type { Logger } from '../../application/logger.port.js';
import type { Metrics } from '../../application/metrics.port.js';
import { CircuitBreakerGuard, type BreakerOptions } from './circuit-breaker.js';

/**
 * A breaker with the service's thresholds (half the calls of a 10 s window failing, after at
 * least 5 calls), its state exported as a metric and logged on every change.
 */
export function makeBreaker(
  name: string,
  resetTimeoutMs: number,
  unavailable: BreakerOptions['unavailable'],
  observers: { metrics: Metrics; logger: Logger },
): CircuitBreakerGuard {
  const breaker = new CircuitBreakerGuard({
    name,
    resetTimeoutMs,
    errorThresholdPercentage: 50,
    volumeThreshold: 5,
    rollingWindowMs: 10_000,
    unavailable,
  });
  observers.metrics.setBreakerState(name, breaker.state);
  breaker.onStateChange((state) => {
    observers.metrics.setBreakerState(name, state);
    observers.logger.warn({ breaker: name, state }, `${name} circuit ${state}`);
  });
  return breaker;
}
