import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { FaultProxy } from '../../harness/fault-proxy.js';
import { RedisServerProcess } from '../../harness/redis-server-process.js';
import { FleetRateLimiter } from '../../infrastructure/edge/fleet-rate-limiter.js';
import { PromMetrics } from '../../infrastructure/metrics/prom-metrics.js';
import { createRedisClient, REDIS_BUDGETS } from '../../infrastructure/redis/create-redis-client.js';
import { makeCacheBreaker } from '../../infrastructure/resilience/make-breaker.js';
import { SystemClock } from '../../infrastructure/clock/system-clock.js';
import { parsePrometheusText, sampleValue } from '../../harness/prometheus-text.js';
import { silentLogger } from '../support/test-doubles.js';
import { waitUntil } from '../../harness/wait-until.js';

const LIMIT = 10;

/** One instance's limiter as the composition root builds it: the service's client and Redis breaker. */
function instance(port: number, prefix: string) {
  const client = createRedisClient({ ...REDIS_BUDGETS, uri: `redis://127.0.0.1:${port}` }, silentLogger);
  const metrics = new PromMetrics();
  const warnings: string[] = [];
  const logger = { ...silentLogger, warn: (_: unknown, msg?: string) => void warnings.push(String(msg)) };
  const breaker = makeCacheBreaker({ clock: new SystemClock(), metrics, logger: silentLogger });
  const limiter = new FleetRateLimiter(
    { limit: LIMIT, keyPrefix: prefix, redis: { client, breaker } },
    { metrics, logger },
  );
  const shared = async () =>
    sampleValue(parsePrometheusText(await metrics.render()), 'ping_rate_limiter_shared', { limiter: 'writes' });
  return { client, breaker, limiter, shared, warnings };
}

describe('FleetRateLimiter on a real Redis (rate-limiter-flexible, the service client and breaker)', function () {
  this.timeout(60_000);
  let redis: RedisServerProcess;
  let proxy: FaultProxy;
  const opened: Array<{ client: Redis }> = [];
  let serial = 0;

  const start = async () => {
    const made = instance(proxy.port, `test:rate:${process.pid}:${++serial}`);
    opened.push(made);
    await made.client.connect();
    return made;
  };

  beforeEach(async () => {
    redis = await RedisServerProcess.start();
    proxy = await FaultProxy.start({ host: '127.0.0.1', port: redis.port });
  });

  afterEach(async () => {
    for (const { client } of opened.splice(0)) client.disconnect();
    await proxy.close();
    await redis.kill();
  });

  it('two instances count one client together: the limit in all, not twice it; another client has its own', async () => {
    const a = await start();
    const b = instance(proxy.port, `test:rate:${process.pid}:${serial}`); // the same keys: one fleet
    opened.push(b);
    await b.client.connect();
    const decisions = [];
    for (let i = 0; i < 3 * LIMIT; i++) decisions.push(await (i % 2 ? a : b).limiter.consume('198.51.100.1'));
    expect(decisions.filter((d) => d.allowed)).to.have.length(LIMIT);
    expect(decisions.slice(LIMIT).every((d) => !d.allowed && d.remaining === 0)).to.equal(true);
    expect(decisions[0]).to.deep.include({ allowed: true, remaining: LIMIT - 1 });
    expect(decisions.at(-1)!.resetSeconds).to.be.within(1, 60);
    expect((await a.limiter.consume('198.51.100.2')).allowed, 'another client').to.equal(true);
    expect([await a.shared(), await b.shared()]).to.deep.equal([1, 1]);
  });

  it('Redis gone: each instance counts alone (the limit, then 429), says so in the metrics and once in the log, and shares again once Redis is back', async () => {
    const a = await start();
    await a.limiter.consume('198.51.100.1');
    proxy.setMode('refuse');
    await redis.kill();
    const decisions = [];
    for (let i = 0; i < 2 * LIMIT; i++) decisions.push(await a.limiter.consume('198.51.100.1'));
    expect(
      decisions.filter((d) => d.allowed),
      'a fresh count of its own, never a refusal for all',
    ).to.have.length(LIMIT);
    expect(await a.shared()).to.equal(0);
    expect(a.warnings).to.deep.equal(['write rate limit counted by this instance alone until Redis answers']);

    await redis.restart();
    proxy.setMode('pass');
    // ioredis reconnects within MAX_RECONNECT_DELAY_MS (2 s) and the breaker probes after its
    // 2 s reset: the next decisions are made in Redis again within both, with slack for a busy machine.
    await waitUntil(
      async () => {
        await a.limiter.consume('198.51.100.3');
        return (await a.shared()) === 1;
      },
      { what: 'the limiter counting in Redis again', timeoutMs: 10_000, intervalMs: 200 },
    );
  });

  it('a black-holed Redis costs a write the command timeout only until the breaker opens, then nothing', async () => {
    const a = await start();
    proxy.setMode('blackhole');
    const timed = async () => {
      const started = performance.now();
      const decision = await a.limiter.consume('198.51.100.1');
      return { ms: performance.now() - started, decision };
    };
    // The Redis breaker opens on half the calls of its window failing, after at least 5 calls.
    await waitUntil(async () => (await timed(), a.breaker.state === 'open'), {
      what: 'the Redis breaker opening',
      timeoutMs: 15_000,
      intervalMs: 0,
    });
    const after = await timed();
    expect(after.decision.allowed).to.equal(true);
    // Far below the command timeout: no Redis call is made while the circuit is open.
    expect(after.ms).to.be.below(REDIS_BUDGETS.commandTimeoutMs / 2);
    expect(await a.shared()).to.equal(0);
  });
});
