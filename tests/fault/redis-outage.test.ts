import { expect } from 'chai';
import pg from 'pg';
import { FaultProxy } from '../../harness/fault-proxy.js';
import { waitUntil } from '../../harness/wait-until.js';
import { POSTGRES_BUDGETS } from '../../infrastructure/postgres/postgres-budgets.js';
import { REDIS_BUDGETS } from '../../infrastructure/redis/create-redis-client.js';
import { figures } from '../support/figures.js';
import { runLoad, summarize, timedRequest } from '../support/load.js';
import { RedisServerProcess } from '../../harness/redis-server-process.js';
import { ServiceProcess } from '../support/service-process.js';
import { createScratchDatabase } from '../support/test-servers.js';

/**
 * Not a speed target: the contract that no request waits past the production budgets. The
 * longest GET /ping is a refresh: four Redis commands one after the other (read, lease, write,
 * release), each cut at the command timeout, and the store's acquire and statement budgets.
 * Connecting is never waited for (commands fail at once while disconnected). Plus 500 ms of
 * scheduling slack.
 */
const ANSWER_BOUND_MS =
  4 * REDIS_BUDGETS.commandTimeoutMs + POSTGRES_BUDGETS.acquireTimeoutMs + POSTGRES_BUDGETS.statementTimeoutMs + 500;

describe('fault injection: Redis lost under load', function () {
  this.timeout(120_000);
  let database: { uri: string; drop: () => Promise<void> };
  let redis: RedisServerProcess;
  let proxy: FaultProxy;
  let service: ServiceProcess;
  let rows: () => Promise<number>;
  let counter: pg.Client;

  beforeEach(async () => {
    database = await createScratchDatabase('fault_redis');
    redis = await RedisServerProcess.start();
    proxy = await FaultProxy.start({ host: '127.0.0.1', port: redis.port });
    service = await ServiceProcess.start({
      POSTGRES_URI: database.uri,
      REDIS_URI: `redis://127.0.0.1:${proxy.port}`,
      CACHE_TTL_SECONDS: '60',
    });
    counter = new pg.Client({ connectionString: database.uri });
    await counter.connect();
    rows = async () => Number((await counter.query('select count(*)::int as n from pings')).rows[0].n);
  });

  afterEach(async () => {
    await service?.stop('SIGKILL');
    await counter?.end();
    await proxy?.close();
    await redis?.kill();
    await database?.drop();
  });

  /** Load with a fault injected after `faultAt` answers and lifted after `healAt`. */
  async function loadThroughFault(inject: () => Promise<void> | void, heal: () => Promise<void> | void) {
    const steps: Array<Promise<void>> = [];
    const samples = await runLoad({
      url: `${service.url}/ping`,
      concurrency: 20,
      requests: 1_500,
      timeoutMs: 10_000,
      onSample: (answered) => {
        if (answered === 300) steps.push(Promise.resolve(inject()));
        if (answered === 1_100) steps.push(Promise.resolve(heal()));
      },
    });
    await Promise.all(steps);
    return samples;
  }

  /**
   * Until a GET /ping is a HIT again. 10 s: the client reconnects within its 2 s backoff cap and
   * the breaker lets calls through 2 s after it opened; the rest is room for a busy machine.
   */
  const awaitHit = () =>
    waitUntil(
      async () => {
        const sample = await timedRequest({ url: `${service.url}/ping` });
        return sample.xCache === 'HIT' ? sample : null;
      },
      { timeoutMs: 10_000, intervalMs: 100, what: 'HITs to resume without a restart' },
    );

  it('killed: every answer is 2xx and bounded, the database is not flooded, HITs resume after restart', async () => {
    const samples = await loadThroughFault(
      () => redis.kill(),
      () => redis.restart(),
    );
    const summary = summarize(samples);
    figures('redis killed: %j, rows %d', summary, await rows());
    expect(summary.byStatus).to.deep.equal({ 200: samples.length });
    expect(summary.byCache.BYPASS ?? 0, 'some answers bypassed the dead cache').to.be.greaterThan(0);
    expect(summary.worstMs).to.be.at.most(ANSWER_BOUND_MS);
    // One MISS before the outage; the in-process tier keeps the promise during it; at most one
    // more once the restarted (empty) Redis is back.
    expect(await rows()).to.be.at.most(2);
    await awaitHit(); // fails the test if HITs do not resume without a restart
  });

  it('black-holed (no reset, packets vanish): the same, bounded by the command timeout', async () => {
    const samples = await loadThroughFault(
      () => proxy.setMode('blackhole'),
      () => {
        proxy.setMode('pass');
        proxy.cut(); // the starved sockets are dead for good; the client reconnects
      },
    );
    const summary = summarize(samples);
    figures('redis black-holed: %j, rows %d', summary, await rows());
    expect(summary.byStatus).to.deep.equal({ 200: samples.length });
    expect(summary.byCache.BYPASS ?? 0).to.be.greaterThan(0);
    expect(summary.worstMs).to.be.at.most(ANSWER_BOUND_MS);
    expect(await rows()).to.be.at.most(2);
    await awaitHit(); // fails the test if HITs do not resume without a restart
  });
});
