import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Logger } from '../../application/logger.port.js';
import type { RateLimitDecision, WriteRateLimiter } from '../../application/write-guards.port.js';
import type { RateLimitMetrics } from '../metrics/service-metrics.js';
import { withoutCommandArgs } from '../redis/redis-error.js';
import type { CircuitBreakerGuard } from '../resilience/circuit-breaker.js';

/** The limit is per minute: WRITE_RATE_LIMIT_PER_MINUTE. */
const WINDOW_SECONDS = 60;

/** The name of the limit in metrics, logs and the `RateLimit` headers. */
const WRITES_LIMITER = 'writes';

export interface FleetRateLimiterSettings {
  /** Writes per client per window. */
  readonly limit: number;
  /** Prefix of the counters' keys (REDIS_KEY_PREFIX + what they count). */
  readonly keyPrefix: string;
  /** The service's Redis client and its breaker; null without Redis (one instance, in memory). */
  readonly redis: { readonly client: Redis; readonly breaker: CircuitBreakerGuard } | null;
}

type Outcome = { readonly allowed: boolean; readonly res: RateLimiterRes };

/**
 * A fixed window per client, counted in Redis so that every instance shares one count
 * (rate-limiter-flexible's RateLimiterRedis: one atomic script per write), with an in-memory
 * limiter of the same limit as insurance.
 *
 * The insurance is chosen here rather than by the library's `insuranceLimiter` option, so that:
 * - the Redis calls go through the Redis breaker that the cache and the lease share: while it is
 *   open no write waits for the command timeout (REDIS_BUDGETS), and the limiter's failures help
 *   open it;
 * - each decision knows where it was made, for the metrics (`ping_rate_limiter_shared`) and one
 *   log line per change.
 * With Redis down each instance limits on its own: a client gets the limit from each instance it
 * reaches, never less, and never a refusal for everyone. Without Redis configured (development,
 * one instance) the count is in memory from the start.
 */
export class FleetRateLimiter implements WriteRateLimiter {
  readonly windowSeconds = WINDOW_SECONDS;
  readonly limit: number;
  private readonly local: RateLimiterMemory;
  private readonly shared: { readonly limiter: RateLimiterRedis; readonly breaker: CircuitBreakerGuard } | null;
  /** Where the last decision was made: in Redis (shared) or not. */
  private sharedNow: boolean;

  constructor(
    settings: FleetRateLimiterSettings,
    private readonly observers: { metrics: RateLimitMetrics; logger: Logger },
  ) {
    this.limit = settings.limit;
    this.local = new RateLimiterMemory({ points: settings.limit, duration: WINDOW_SECONDS });
    this.shared = settings.redis && {
      limiter: new RateLimiterRedis({
        storeClient: settings.redis.client,
        keyPrefix: settings.keyPrefix,
        points: settings.limit,
        duration: WINDOW_SECONDS,
        // A client still ready to send is failed at once (the offline queue is off anyway).
        rejectIfRedisNotReady: true,
        // A client over the limit is refused from memory until its window ends: a flood from one
        // address costs this instance no Redis call per request.
        inMemoryBlockOnConsumed: settings.limit + 1,
      }),
      breaker: settings.redis.breaker,
    };
    this.sharedNow = this.shared !== null;
    observers.metrics.setRateLimiterShared(WRITES_LIMITER, this.sharedNow);
  }

  async consume(client: string): Promise<RateLimitDecision> {
    let outcome: Outcome | null = null;
    if (this.shared) {
      const { limiter, breaker } = this.shared;
      try {
        outcome = await breaker.run(() => settle(limiter, client));
      } catch (error) {
        this.markShared(false, error);
      }
      if (outcome) this.markShared(true);
    }
    outcome ??= await settle(this.local, client);
    if (!outcome.allowed) this.observers.metrics.countRateLimited(WRITES_LIMITER);
    return {
      allowed: outcome.allowed,
      remaining: outcome.allowed ? outcome.res.remainingPoints : 0,
      resetSeconds: Math.max(1, Math.ceil(outcome.res.msBeforeNext / 1000)),
    };
  }

  private markShared(shared: boolean, error?: unknown): void {
    if (shared === this.sharedNow) return;
    this.sharedNow = shared;
    this.observers.metrics.setRateLimiterShared(WRITES_LIMITER, shared);
    if (shared) this.observers.logger.info({ limiter: WRITES_LIMITER }, 'write rate limit counted in Redis again');
    else
      this.observers.logger.warn(
        { limiter: WRITES_LIMITER, err: withoutCommandArgs(error) },
        'write rate limit counted by this instance alone until Redis answers',
      );
  }
}

/** A consumption as a value: rate-limiter-flexible rejects with a RateLimiterRes when over the limit. */
function settle(limiter: RateLimiterAbstract, client: string): Promise<Outcome> {
  return limiter.consume(client).then(
    (res) => ({ allowed: true, res }),
    (rejection: unknown) => {
      if (rejection instanceof RateLimiterRes) return { allowed: false, res: rejection };
      throw rejection;
    },
  );
}
