import { expect } from 'chai';
import { Readiness, type ReadinessCheck } from '../../application/readiness.js';
import { makeHttpHarness } from '../support/http-harness.js';

const check = (name: string, required: boolean, run: () => Promise<string | void>): ReadinessCheck => ({
  name,
  required,
  check: run,
});
const up = () => Promise.resolve();
const down = () => Promise.reject(new Error('ECONNREFUSED 127.0.0.1:6379'));
const hangs = () => new Promise<void>(() => {});

async function readyz(checks: ReadinessCheck[]) {
  const { request } = makeHttpHarness({ ReadinessChecks: checks });
  return request({ method: 'GET', url: '/readyz' });
}

describe('GET /readyz', () => {
  it('gives each dependency its status and latency, and is never cached', async () => {
    const answer = await readyz([check('store', true, up), check('cache', false, up)]);
    expect(answer.status).to.equal(200);
    expect(answer.headers['cache-control']).to.equal('no-store');
    expect(answer.body.status).to.equal('ready');
    for (const name of ['store', 'cache']) {
      expect(answer.body.checks[name].status).to.equal('up');
      expect(answer.body.checks[name].latencyMs).to.be.a('number').and.at.least(0);
    }
  });

  it('names the server that answered when the check knows it (the Redis master behind sentinels)', async () => {
    const answer = await readyz([check('store', true, up), check('cache', false, async () => '10.0.3.7:6379')]);
    expect(answer.body.checks.cache).to.include({ status: 'up', target: '10.0.3.7:6379' });
    expect(answer.body.checks.store).to.not.have.property('target');
  });

  it('answers 503 not_ready while the store is down, with the reason', async () => {
    const answer = await readyz([check('store', true, down), check('cache', false, up)]);
    expect(answer.status).to.equal(503);
    expect(answer.body.status).to.equal('not_ready');
    expect(answer.body.checks.store).to.include({ status: 'down', error: 'ECONNREFUSED 127.0.0.1:6379' });
  });

  it('answers 200 while only the cache is down: a cache outage degrades, it does not fail readiness', async () => {
    const answer = await readyz([check('store', true, up), check('cache', false, down)]);
    expect(answer.status).to.equal(200);
    expect(answer.body.status).to.equal('ready');
    expect(answer.body.checks.cache.status).to.equal('down');
  });

  it('counts a dependency that does not answer within the check budget as down', async () => {
    const readiness = new Readiness([check('store', true, hangs), check('cache', false, hangs)], 50);
    const answer = await makeHttpHarness({ Readiness: readiness }).request({ method: 'GET', url: '/readyz' });
    expect(answer.status).to.equal(503);
    expect(answer.body.checks.store).to.include({ status: 'down', error: 'no answer within 50 ms' });
    expect(answer.body.checks.cache).to.include({ status: 'down', error: 'no answer within 50 ms' });
  });
});

describe('GET /healthz', () => {
  it('answers 200 while every dependency is down: a restart would cure none of them', async () => {
    const { request } = makeHttpHarness({
      ReadinessChecks: [check('store', true, down), check('cache', false, down)],
    });
    const answer = await request({ method: 'GET', url: '/healthz' });
    expect(answer.status).to.equal(200);
    expect(answer.body).to.deep.equal({ status: 'ok' });
  });
});
