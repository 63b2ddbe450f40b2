import type { Redis } from 'ioredis';
import type { Logger } from '../../application/logger.port.js';
import { withoutCommandArgs } from './redis-error.js';

/**
 * The Redis client's place in the Lifecycle and in readiness. Redis is optional for serving: a
 * start with Redis down logs and goes on (the client keeps reconnecting), it never blocks or
 * fails the start.
 */
export class RedisConnection {
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

  /**
   * The readiness probe (not required: a cache outage only degrades). Resolves to the address
   * of the server that answered: behind sentinels, the master in use.
   */
  async check(): Promise<string | undefined> {
    try {
      await this.client.ping();
    } catch (error) {
      throw withoutCommandArgs(error);
    }
    return this.serverAddress() ?? undefined;
  }

  /** `host:port` of the server the client is connected to now (null while disconnected). */
  serverAddress(): string | null {
    if (this.client.status !== 'ready') return null;
    const stream = this.client.stream as { remoteAddress?: string; remotePort?: number } | undefined;
    return stream?.remoteAddress ? `${stream.remoteAddress}:${stream.remotePort}` : null;
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
