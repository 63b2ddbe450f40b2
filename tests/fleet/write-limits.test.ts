import { expect } from 'chai';
import { request } from 'node:http';
import { RedisServerProcess } from '../../harness/redis-server-process.js';
import { parsePrometheusText, sampleValue } from '../../harness/prometheus-text.js';
import { ServiceProcess } from '../support/service-process.js';
import { createScratchDatabase, type ScratchDatabase } from '../support/test-servers.js';
import { waitUntil } from '../../harness/wait-until.js';

const LIMIT = 60; // the default WRITE_RATE_LIMIT_PER_MINUTE, set explicitly
const TOKEN = 'fleet-test-write-token-0123456789';

/**
 * One POST /pings from `localAddress` (a loopback address of its own: the service counts the
 * socket's address, so each address is a client) on a fresh connection; resolves to the status.
 */
function post(url: string, localAddress: string, token: string | null = TOKEN): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    const req = request(`${url}/pings`, { method: 'POST', headers, localAddress, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    // Not a speed target: a write that has not answered in 10 s is a hang, not a slow answer.
    req.setTimeout(10_000, () => req.destroy(new Error('no answer in 10 s')));
    req.on('error', reject);
    req.end('{"note":"fleet"}');
  });
}

const count = (statuses: number[], status: number) => statuses.filter((s) => s === status).length;

/**
 * Three real instances (child processes) sharing one Redis and one PostgreSQL, as a Deployment of
 * three replicas would: the per-client write limit holds for the fleet, not per instance.
 */
describe('fleet: three instances, one Redis, one write limit', function () {
  // Three tsx processes start in parallel; a busy 2-core machine takes several seconds each.
  this.timeout(120_000);
  let redis: RedisServerProcess;
  let database: ScratchDatabase;
  let instances: ServiceProcess[] = [];
  const rows = async () => Number((await database.query('select count(*)::int as n from pings')).rows[0].n);

  before(async () => {
    redis = await RedisServerProcess.start();
    database = await createScratchDatabase('fleet_limits');
    const env = {
      POSTGRES_URI: database.uri,
      REDIS_URI: `redis://127.0.0.1:${redis.port}`,
      WRITE_TOKENS: TOKEN,
      WRITE_RATE_LIMIT_PER_MINUTE: String(LIMIT),
    };
    // One first, so the migrations have run before the others start.
    instances = [await ServiceProcess.start(env)];
    instances.push(...(await Promise.all([ServiceProcess.start(env), ServiceProcess.start(env)])));
  });

  after(async () => {
    await Promise.all(instances.map((instance) => instance.stop('SIGKILL')));
    await redis?.kill();
    await database?.drop();
  });

  it('one client sending 3x the limit across the three within the minute gets the limit, within a twentieth; a second client is unaffected', async () => {
    const started = Date.now();
    const first: number[] = [];
    for (let i = 0; i < 3 * LIMIT; i++) first.push(await post(instances[i % 3]!.url, '127.0.0.2'));
    const second: number[] = [];
    for (let i = 0; i < 10; i++) second.push(await post(instances[i % 3]!.url, '127.0.0.3'));
    // The client's window opened with its first write and lasts 60 s: the claim holds only if
    // every write of the burst fell inside it.
    expect(Date.now() - started, 'the burst fit in one window').to.be.below(60_000);

    expect(count(first, 201)).to.be.within(LIMIT * 0.95, LIMIT * 1.05);
    expect(count(first, 429)).to.equal(first.length - count(first, 201));
    expect(second, 'the second client, same minute').to.deep.equal(Array(10).fill(201));
    expect(await rows()).to.equal(count(first, 201) + 10);
  });

  it('without a token: 401 from every instance, nothing stored', async () => {
    const before = await rows();
    for (const instance of instances) {
      expect(await post(instance.url, '127.0.0.4', null)).to.equal(401);
      expect(await post(instance.url, '127.0.0.4', `x${TOKEN}`)).to.equal(401);
    }
    expect(await rows()).to.equal(before);
  });

  it('with Redis down, each instance still limits on its own and says so in its metrics', async () => {
    await redis.kill();
    // Each instance learns within a command or two that Redis is gone (its client is not ready).
    const shared = async (instance: ServiceProcess) => {
      const text = await (await fetch(`${instance.metricsUrl}/metrics`)).text();
      return sampleValue(parsePrometheusText(text), 'ping_rate_limiter_shared', { limiter: 'writes' });
    };
    for (const instance of instances) {
      const statuses: number[] = [];
      for (let i = 0; i < 2 * LIMIT; i++) statuses.push(await post(instance.url, '127.0.0.5'));
      expect(count(statuses, 201), instance.url).to.equal(LIMIT);
      expect(count(statuses, 429), instance.url).to.equal(LIMIT);
      // Bound: the gauge is set by the decision itself; a scrape right after sees it.
      await waitUntil(async () => (await shared(instance)) === 0, {
        what: `${instance.url} reporting a local count`,
        timeoutMs: 5_000,
      });
    }
  });
});
