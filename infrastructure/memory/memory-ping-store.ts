import type { Clock } from '../../domain/clock.port.js';
import type { Ping } from '../../domain/ping.js';
import type { PingPageQuery, PingStore } from '../../domain/ping-store.port.js';

/** The store for unit tests: same contract as PostgreSQL, nothing kept across restarts. */
export class MemoryPingStore implements PingStore {
  private readonly rows: Ping[] = [];
  private nextId = 1;

  constructor(private readonly clock: Clock) {}

  async record(note: string | null): Promise<Ping> {
    const ping: Ping = { id: this.nextId++, createdAt: new Date(this.clock.now()), note };
    this.rows.push(ping);
    return ping;
  }

  async list({ limit, before }: PingPageQuery): Promise<Ping[]> {
    const page: Ping[] = [];
    for (let i = this.rows.length - 1; i >= 0 && page.length < limit; i--) {
      const row = this.rows[i]!;
      if (before === undefined || row.id < before) page.push(row);
    }
    return page;
  }
}
