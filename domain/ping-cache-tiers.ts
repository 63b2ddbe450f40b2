import type { DependencyMonitor } from './dependency-monitor.port.js';
import type { CachedPing, PingCache } from './ping-cache.port.js';

/** An entry as the tiers found it, and whether the shared tier answered the read. */
export interface TieredRead {
  readonly entry: CachedPing | null;
  readonly sharedUsable: boolean;
}

/**
 * One cache key kept in two tiers: the shared cache every instance reads, and this process's
 * own, which keeps the once-per-TTL promise while the shared one is down. The shared tier's
 * successes and failures go to the monitor; a failing tier never fails the caller.
 */
export class PingCacheTiers {
  constructor(
    private readonly shared: PingCache,
    private readonly local: PingCache,
    private readonly key: string,
    private readonly monitor: DependencyMonitor,
  ) {}

  /** Reads the shared tier, falling back to the local one when the shared cannot answer. */
  async read(): Promise<TieredRead> {
    try {
      const entry = await this.shared.get(this.key);
      this.monitor.succeeded('cache');
      return { entry, sharedUsable: true };
    } catch (error) {
      this.monitor.failed('cache', error);
      return { entry: await this.local.get(this.key), sharedUsable: false };
    }
  }

  /** The shared tier alone, failures thrown: for a caller that waits on another instance's write. */
  readShared(): Promise<CachedPing | null> {
    return this.shared.get(this.key);
  }

  /** Writes both tiers; resolves to whether the shared tier took it. */
  async write(entry: CachedPing, keepMs: number): Promise<boolean> {
    await this.local.set(this.key, entry, keepMs);
    try {
      await this.shared.set(this.key, entry, keepMs);
      this.monitor.succeeded('cache');
      return true;
    } catch (error) {
      this.monitor.failed('cache', error);
      return false;
    }
  }
}
