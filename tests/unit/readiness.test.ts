import { expect } from 'chai';
import { Readiness, type ReadinessCheck } from '../../application/readiness.js';
import { makeHttpHarness } from '../support/http-harness.js';

const check = (name: string, run: () => Promise<string | void>): ReadinessCheck => ({ name, check: run });
const up = () => Promise.resolve();
const down = () => Promise.reject(new Error('ECONNREFUSED 127.0.0.1:6379'));
const hangs = () => new Promise<void>(() => {});

function harness(checks: ReadinessCheck[]) {
  return makeHttpHarness({ ReadinessChecks: checks });
}

async function readyz(checks: ReadinessCheck[]) {
  return harness(checks).request({ method: 'GET', url: '/readyz' });
}

describe('GET /readyz: readiness of this instance, not of what every instance shares', () => {
  it('gives each dependency its status and latency, and is never cached', async () => {
    const answer = await readyz([check('store', up), check('cache', up)]);
    expect(answer.status).to.equal(200);
    expect(answer.headers['cache-control']).to.equal('no-store');
    expect(answer.body.status).to.equal('ready');
    for (const name of ['store', 'cache']) {
      expect(answer.body.checks[name].status).to.equal('up');
      expect(answer.body.checks[name].latencyMs).to.be.a('number').and.at.least(0);
    }
  });

  it('names the server that answered when the check knows it (the Redis master behind sentinels)', async () => {
    const answer = await readyz([check('store', up), check('cache', async () => '10.0.3.7:6379')]);
    expect(answer.body.checks.cache).to.include({ status: 'up', target: '10.0.3.7:6379' });
    expect(answer.body.checks.store).to.not.have.property('target');
  });

  for (const [what, checks] of [
    ['the store', [check('store', down), check('cache', up)]],
    ['the cache', [check('store', up), check('cache', down)]],
    ['both', [check('store', down), check('cache', down)]],
  ] as const) {
    it(`stays 200 ready while ${what} is down, and says so in the body with the reason`, async () => {
      const answer = await readyz([...checks]);
      expect(answer.status).to.equal(200);
      expect(answer.body.status).to.equal('ready');
      const failing = Object.entries(answer.body.checks as Record<string, { status: string; error?: string }>)
        .filter(([, result]) => result.status === 'down')
        .map(([name, result]) => [name, result.error]);
      expect(failing).to.have.length(what === 'both' ? 2 : 1);
      for (const [, error] of failing) expect(error).to.equal('ECONNREFUSED 127.0.0.1:6379');
    });
  }

  it('answers 503 shutting_down once draining, whatever the dependencies say', async () => {
    const { request, deps } = harness([check('store', up), check('cache', up)]);
    deps.readiness.startDraining();
    const answer = await request({ method: 'GET', url: '/readyz' });
    expect(answer.status).to.equal(503);
    expect(answer.body.status).to.equal('shutting_down');
    expect(answer.body.checks.store.status).to.equal('up');
  });

  it('counts a dependency that does not answer within the check budget as down, and still answers in time', async () => {
    const readiness = new Readiness([check('store', hangs), check('cache', hangs)], 50);
    const answer = await makeHttpHarness({ Readiness: readiness }).request({ method: 'GET', url: '/readyz' });
    expect(answer.status).to.equal(200);
    expect(answer.body.checks.store).to.include({ status: 'down', error: 'no answer within 50 ms' });
    expect(answer.body.checks.cache).to.include({ status: 'down', error: 'no answer within 50 ms' });
  });
});

describe('Readiness: answers at once, with checks at most a second old', () => {
  it('runs the checks for the first answer, then shows them without running them again for a second', async () => {
    let runs = 0;
    let now = 0;
    const readiness = new Readiness([check('store', async () => void runs++)], 1_000, () => now);
    await readiness.report();
    now = 999;
    await readiness.report();
    expect(runs).to.equal(1);
  });

  it('past that, answers with the last checks while new ones run, and shows theirs once they are done', async () => {
    let now = 0;
    let storeUp = true;
    let release!: () => void;
    const readiness = new Readiness(
      [
        check('store', async () => {
          if (!storeUp) await new Promise<void>((resolve) => (release = resolve));
          if (!storeUp) throw new Error('connection refused');
        }),
      ],
      60_000,
      () => now,
    );
    expect((await readiness.report()).checks.store!.status).to.equal('up');
    storeUp = false;
    now = 1_000;
    // The store's check hangs now: the answer does not wait for it.
    expect((await readiness.report()).checks.store!.status).to.equal('up');
    release();
    await new Promise((resolve) => setImmediate(resolve));
    expect((await readiness.report()).checks.store!.status).to.equal('down');
  });
});

describe('GET /healthz', () => {
  it('answers 200 while every dependency is down: a restart would cure none of them', async () => {
    const { request } = makeHttpHarness({
      ReadinessChecks: [check('store', down), check('cache', down)],
    });
    const answer = await request({ method: 'GET', url: '/healthz' });
    expect(answer.status).to.equal(200);
    expect(answer.body).to.deep.equal({ status: 'ok' });
  });
});
