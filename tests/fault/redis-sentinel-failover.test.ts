import { expect } from 'chai';
import { Redis } from 'ioredis';
import pg from 'pg';
import { runLoad, summarize, timedRequest, type Sample } from '../support/load.js';
import { parsePrometheusText } from '../support/prometheus-text.js';
import { MASTER_SET, RedisSentinelCluster } from '../support/redis-sentinel-cluster.js';
import { ServiceProcess } from '../support/service-process.js';
import { createScratchDatabase } from '../support/test-servers.js';

/** The issue's bound: HITs again within this long of the sentinels' +switch-master. */
const HIT_AFTER_SWITCH_MS = 5_000;

/** Polls `read` for up to 5 s until it gives `expected`; resolves to the last value read. */
async function eventually<T>(read: () => Promise<T>, expected: T): Promise<T> {
  let value = await read();
  for (let i = 0; i < 50 && JSON.stringify(value) !== JSON.stringify(expected); i++) {
    await new Promise((r) => setTimeout(r, 100));
    value = await read();
  }
  return value;
}

interface Timed extends Sample {
  readonly at: number;
}

describe('fault injection: Redis master killed behind sentinels, under load', function () {
  this.timeout(120_000);
  let database: Awaited<ReturnType<typeof createScratchDatabase>>;
  let cluster: RedisSentinelCluster;
  // Two instances: the cross-instance lease, not single-flight alone, must bound the rows.
  let services: ServiceProcess[] = [];
  let service: ServiceProcess;
  let counter: pg.Client;

  before(async () => {
    [database, cluster] = await Promise.all([createScratchDatabase('fault_sentinel'), RedisSentinelCluster.start()]);
    const env = {
      POSTGRES_URI: database.uri,
      REDIS_SENTINELS: cluster.sentinelList,
      REDIS_SENTINEL_MASTER: MASTER_SET,
      REDIS_CONNECT_TIMEOUT_MS: '300',
      REDIS_COMMAND_TIMEOUT_MS: '200',
      REDIS_BREAKER_RESET_MS: '500',
      CACHE_TTL_SECONDS: '60',
    };
    const started = await Promise.allSettled([ServiceProcess.start(env), ServiceProcess.start(env)]);
    services = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
    service = services[0]!;
    counter = new pg.Client({ connectionString: database.uri });
    await counter.connect();
  });

  after(async () => {
    await Promise.all(services.map((s) => s.stop('SIGKILL')));
    await counter?.end();
    await cluster?.close();
    await database?.drop();
  });

  const rows = async () => Number((await counter.query('select count(*)::int as n from pings')).rows[0].n);

  /** The last readiness cache check read, for a failure message that says why there was no target. */
  let lastCacheCheck: unknown;

  async function cacheTarget(): Promise<string | undefined> {
    const ready = await timedRequest({ url: `${service.url}/readyz` });
    const cache = (ready.body as { checks: { cache: { target?: string } } }).checks.cache;
    lastCacheCheck = cache;
    return cache.target;
  }

  /** The service's Redis log lines (connection lost, restored, failover), for failure messages. */
  const redisLog = () =>
    JSON.stringify(
      service.logs
        .filter((line) => line.component === 'redis' || line.dependency === 'cache')
        .map(({ time, msg, err }) => ({ time, msg, error: (err as { message?: string } | undefined)?.message })),
    );

  async function masterMetric(): Promise<string[]> {
    const text = await (await fetch(`${service.metricsUrl}/metrics`)).text();
    return parsePrometheusText(text)
      .filter((s) => s.name === 'ping_redis_master_info' && s.value === 1)
      .map((s) => s.labels.address!);
  }

  it('kill -9 of the master: every answer 2xx, HITs within 5 s of +switch-master, at most 3 extra rows', async () => {
    const oldMaster = `127.0.0.1:${cluster.master.port}`;
    const newMaster = `127.0.0.1:${cluster.replica.port}`;
    expect((await timedRequest({ url: `${service.url}/ping` })).xCache).to.equal('MISS');
    expect((await timedRequest({ url: `${service.url}/ping` })).xCache).to.equal('HIT');
    expect(await cacheTarget()).to.equal(oldMaster);
    expect(await masterMetric()).to.deep.equal([oldMaster]);
    const rowsBefore = await rows();

    // The worst case of asynchronous replication: the cached entry never reached the replica
    // (deleted there by hand, which a replica allows once made writable). The promoted master
    // has no entry, and only the lease keeps the two instances to one new row between them.
    const replica = new Redis({ port: cluster.replica.port, host: '127.0.0.1' });
    await replica.config('SET', 'replica-read-only', 'no');
    const cachedKeys = await replica.keys('*last_ping');
    expect(cachedKeys, 'the entry had replicated').to.have.length(1);
    await replica.del(...cachedKeys);
    replica.disconnect();

    const watcher = cluster.sentinelClient(1);
    let switchedAt = 0;
    watcher.on('message', (channel: string) => channel === '+switch-master' && (switchedAt ||= Date.now()));
    await watcher.subscribe('+switch-master');

    const samples: Timed[] = [];
    let killedAt = 0;
    let stop = false;
    const load = Promise.all(
      services.map((instance) =>
        runLoad({
          url: `${instance.url}/ping`,
          concurrency: 5,
          requests: 1_000_000,
          timeoutMs: 10_000,
          shouldContinue: () => !stop,
          onSample: (_, sample) => samples.push({ ...sample, at: Date.now() }),
        }),
      ),
    );
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    try {
      await sleep(1_000);
      killedAt = Date.now();
      await cluster.master.kill();
      const deadline = Date.now() + 30_000;
      while (!switchedAt && Date.now() < deadline) await sleep(100);
      expect(switchedAt, 'the sentinels promoted the replica (+switch-master)').to.be.greaterThan(0);
      // Load goes on until HITs have been back for a while, or the bound has clearly passed.
      while (Date.now() < switchedAt + HIT_AFTER_SWITCH_MS + 2_000) {
        const last = samples.slice(-20);
        if (last.length === 20 && last.every((s) => s.xCache === 'HIT' && s.at > switchedAt)) break;
        await sleep(200);
      }
    } finally {
      stop = true;
      await load;
      watcher.disconnect();
    }

    const summary = summarize(samples);
    const afterKill = samples.filter((s) => s.at >= killedAt);
    const firstMissed = afterKill.find((s) => s.xCache !== 'HIT');
    const firstHitAgain = afterKill.find((s) => s.at > switchedAt && s.xCache === 'HIT');
    const extraRows = (await rows()) - rowsBefore;
    console.log(
      `      sentinel failover: ${JSON.stringify(summary)}; +switch-master ${switchedAt - killedAt} ms after the kill; ` +
        `first HIT ${firstHitAgain ? firstHitAgain.at - switchedAt : 'never'} ms after it; outage window ` +
        `(first non-HIT to first HIT again) ${firstMissed && firstHitAgain ? firstHitAgain.at - firstMissed.at : '?'} ms; ` +
        `extra rows ${extraRows} (2 instances)`,
    );
    expect(Object.keys(summary.byStatus), 'every answer is a 2xx').to.deep.equal(['200']);
    expect(firstHitAgain, 'HITs resume without a restart').to.not.equal(undefined);
    expect(firstHitAgain!.at - switchedAt).to.be.at.most(HIT_AFTER_SWITCH_MS);
    expect(extraRows, 'the lost entry was recorded again').to.be.at.least(1);
    expect(extraRows, 'the lease bounds what the failover costs').to.be.at.most(3);
    // Polled: ioredis may reconnect once more when the failover detector hears +switch-master.
    // It failed once in a full suite (undefined after 5 s, HITs already back): the message keeps the why.
    const target = await eventually(cacheTarget, newMaster);
    expect(
      target,
      `readiness names the promoted master; last cache check ${JSON.stringify(lastCacheCheck)}; redis log ${redisLog()}`,
    ).to.equal(newMaster);
    expect(await eventually(masterMetric, [newMaster]), 'so does the metric').to.deep.equal([newMaster]);
  });
});
