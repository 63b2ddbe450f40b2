import type { PingOutcome, PingPage, PingResult, PingService } from '../domain/ping-service.js';
import type { Ping } from '../domain/ping.js';
import { NO_CACHE_METRICS, type CacheMetrics, type CacheResult } from './metrics.port.js';

/** The metric label of each outcome: the four answers operators count, as X-Cache names them. */
const CACHE_RESULT: Readonly<Record<PingOutcome, CacheResult>> = {
  cached: 'hit',
  'cached-locally': 'bypass',
  recorded: 'miss',
  'recorded-locally': 'bypass',
  stale: 'stale',
};

/** The operations the HTTP interface offers, one method per route. */
export class PingUseCases {
  constructor(
    private readonly service: PingService,
    private readonly cacheMetrics: CacheMetrics = NO_CACHE_METRICS,
  ) {}

  /** GET /ping: the last ping through the cache-aside policy; every answer or failure is counted. */
  async getLastPing(): Promise<PingResult> {
    try {
      const result = await this.service.getPing();
      this.cacheMetrics.countCacheResult(CACHE_RESULT[result.outcome]);
      return result;
    } catch (error) {
      this.cacheMetrics.countCacheResult('error');
      throw error;
    }
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
