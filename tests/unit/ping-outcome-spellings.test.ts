import { expect } from 'chai';
import type { CacheResult } from '../../application/metrics.port.js';
import { PingUseCases } from '../../application/ping-use-cases.js';
import type { PingOutcome, PingResult, PingService } from '../../domain/ping-service.js';
import { lastPingAnswerJson, xCacheHeader } from '../../interfaces/http/ping-json.js';

/** The public contract: X-Cache, JSON source and metric label of every outcome of the policy. */
const PUBLIC: Record<PingOutcome, { xCache: string; source: string; metric: CacheResult }> = {
  cached: { xCache: 'HIT', source: 'cache', metric: 'hit' },
  'cached-locally': { xCache: 'BYPASS', source: 'cache', metric: 'bypass' },
  recorded: { xCache: 'MISS', source: 'database', metric: 'miss' },
  'recorded-locally': { xCache: 'BYPASS', source: 'database', metric: 'bypass' },
  stale: { xCache: 'STALE', source: 'stale', metric: 'stale' },
};

describe('the public spellings of a GET /ping outcome', () => {
  for (const [outcome, spelled] of Object.entries(PUBLIC) as Array<[PingOutcome, (typeof PUBLIC)[PingOutcome]]>) {
    it(`${outcome}: X-Cache ${spelled.xCache}, source "${spelled.source}", metric result "${spelled.metric}"`, async () => {
      const result: PingResult = { ping: { id: 7, createdAt: new Date(0), note: 'n' }, outcome };
      expect(xCacheHeader(outcome)).to.equal(spelled.xCache);
      expect(JSON.parse(lastPingAnswerJson(result))).to.deep.equal({
        message: 'Ping received and processed.',
        source: spelled.source,
        ping: { id: 7, createdAt: '1970-01-01T00:00:00.000Z', note: 'n' },
      });
      const counted: CacheResult[] = [];
      const service = { getPing: async () => result } as unknown as PingService;
      await new PingUseCases(service, { countCacheResult: (r) => counted.push(r) }).getLastPing();
      expect(counted).to.deep.equal([spelled.metric]);
    });
  }

  it('counts a failed GET /ping as "error"', async () => {
    const counted: CacheResult[] = [];
    const service = { getPing: () => Promise.reject(new Error('boom')) } as unknown as PingService;
    const failure = await new PingUseCases(service, { countCacheResult: (r) => counted.push(r) })
      .getLastPing()
      .catch((error: unknown) => error);
    expect(failure).to.be.instanceOf(Error);
    expect(counted).to.deep.equal(['error']);
  });
});
