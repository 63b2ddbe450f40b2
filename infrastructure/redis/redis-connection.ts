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
  /** Set by `close()`: from then on an ended client stays ended. */
  private closing = false;
  private restart: NodeJS.Timeout | undefined;

  /**
   * ioredis can end a client for good on its own: when its Sentinel failover detector hears
   * `+switch-master` while the client is asking the sentinels for the master, the pending connect
   * fails and the client stops reconnecting (status `end`). The instance would then serve without
   * the shared cache until restarted (the Sentinel failover test caught it). An end this class
   * did not ask for starts the client again, after `restartDelayMs` so that a client ending at
   * once again cannot spin.
   */
  constructor(
    readonly client: Redis,
    private readonly logger: Logger,
    restartDelayMs = 1_000,
  ) {
    client.on('end', () => {
      if (this.closing) return;
      this.logger.warn('redis client stopped reconnecting by itself: starting it again');
      clearTimeout(this.restart);
      this.restart = setTimeout(() => {
        if (!this.closing) this.client.connect().catch(() => undefined); // failures arrive as 'error' events
      }, restartDelayMs);
    });
  }

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
    this.closing = true;
    clearTimeout(this.restart);
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
