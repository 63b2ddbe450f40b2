import type { PingPage, PingResult, PingService } from '../domain/ping-service.js';
import type { Ping } from '../domain/ping.js';

/** The operations the HTTP interface offers, one method per route. */
export class PingUseCases {
  constructor(private readonly service: PingService) {}

  /** GET /ping: the last ping through the cache-aside policy. */
  getLastPing(): Promise<PingResult> {
    return this.service.getPing();
  }

  /** POST /pings: record unconditionally, then refresh the cache. */
  recordPing(note: string | null): Promise<Ping> {
    return this.service.recordPing(note);
  }

  /** GET /pings: newest first, keyset pagination. */
  listPings(limit: number, before?: number): Promise<PingPage> {
    return this.service.listPings(before === undefined ? { limit } : { limit, before });
  }
}
