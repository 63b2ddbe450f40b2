import type { Redis } from 'ioredis';
import type { Managed } from '../../application/lifecycle.js';
import type { Logger } from '../../application/logger.port.js';
import { withoutCommandArgs } from './redis-error.js';

/**
 * The Redis client's place in the Lifecycle and in readiness. Redis is optional for serving: a
 * start with Redis down logs and goes on (the client keeps reconnecting), it never blocks or
 * fails the start.
 */
export class RedisConnection implements Managed {
  readonly name = 'redis';

  constructor(
    readonly client: Redis,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    try {
      await this.client.connect();
    } catch (error) {
      this.logger.warn(
        { err: withoutCommandArgs(error) },
        'redis is not reachable at start: serving without the shared cache for now',
      );
    }
  }

  /** The readiness probe (not required: a cache outage only degrades). */
  async check(): Promise<void> {
    try {
      await this.client.ping();
    } catch (error) {
      throw withoutCommandArgs(error);
    }
  }

  /** QUIT lets Redis finish what was sent; a client that is not connected is just dropped. */
  async close(): Promise<void> {
    if (this.client.status === 'ready') {
      try {
        await this.client.quit();
        return;
      } catch {
        // fall through: the connection went away while quitting
      }
    }
    this.client.disconnect();
  }
}
