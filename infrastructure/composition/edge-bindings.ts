import { OPEN_WRITES } from '../../application/write-guards.port.js';
import type { Config } from '../config/config.js';
import { FleetRateLimiter } from '../edge/fleet-rate-limiter.js';
import { HashedWriteTokens } from '../edge/hashed-write-tokens.js';
import type { Bind } from './binding.js';

/**
 * The guards of `POST /pings`: the write tokens (anyone may write without WRITE_TOKENS) and the
 * per-client limit, counted on the service's Redis client behind the Redis breaker (in memory
 * without Redis). The limiter opens and closes nothing of its own: the Lifecycle's Redis
 * connection and breaker are its.
 */
export function bindEdge(bind: Bind, config: Config): void {
  bind('WriteGuards', (get) => {
    const { tokens, limitPerMinute } = config.writes;
    const connection = get('RedisConnection');
    const limiter =
      limitPerMinute === 0
        ? null
        : new FleetRateLimiter(
            {
              limit: limitPerMinute,
              keyPrefix: `${config.redis.keyPrefix}rate:writes`,
              redis: connection && { client: connection.client, breaker: get('RedisBreaker') },
            },
            { metrics: get('Metrics'), logger: get('Logger') },
          );
    return {
      access: tokens.length > 0 ? new HashedWriteTokens(tokens) : OPEN_WRITES.access,
      limiter,
      trustedProxyHops: config.http.trustedProxyHops,
    };
  });
}
