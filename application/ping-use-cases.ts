import type { CacheOutcome, PingPage, PingResult, PingService } from '../domain/ping-service.js';
import type { Ping } from '../domain/ping.js';
import { NO_CACHE_METRICS, type CacheMetrics, type CacheResult } from './metrics.port.js';

const RESULT_BY_OUTCOME: Record<CacheOutcome, CacheResult> = {
  HIT: 'hit',
  MISS: 'miss',
  STALE: 'stale',
  BYPASS: 'bypass',
};

/** The operations the HTTP interface offers, one method per route. */
export class PingUseCases {
  constructor(
    private readonly service: PingService,
    private readonly cacheMetrics: CacheMetrics = NO_CACHE_METRICS,
  ) {}

  /** GET /ping: the last ping through the cache-aside policy; every answer or failure is counted. */
  async getLastPing(): Promise<PingResult> {
    let result: PingResult;
    try {
      result = await this.service.getPing();
    } catch (error) {
      this.cacheMetrics.countCacheResult('error');
      throw error;
    }
    this.cacheMetrics.countCacheResult(RESULT_BY_OUTCOME[result.outcome]);
    return result;
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
