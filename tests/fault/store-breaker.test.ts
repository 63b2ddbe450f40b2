import { expect } from 'chai';
import { FaultProxy } from '../../harness/fault-proxy.js';
import { waitUntil } from '../../harness/wait-until.js';
import { figures } from '../support/figures.js';
import { timedRequest, type Sample } from '../support/load.js';
import { ServiceProcess } from '../support/service-process.js';
import { createScratchDatabase, testPostgresUri } from '../support/test-servers.js';

interface Answer extends Sample {
  /** ms since the test's origin, when the request was sent and when its answer came. */
  readonly sentAt: number;
  readonly doneAt: number;
}

/**
 * The store breaker under load, with the service's default budgets (acquire 1 s, statement 2 s,
 * read deadline 3 s), as the issue reproduced it: a black-hole after a busy, healthy period. It
 * must open soon whatever successes came before, and once PostgreSQL answers again it must not
 * open on the late failures of calls the black-hole caught.
 */
describe('fault injection: the store breaker under a black-hole', function () {
  this.timeout(120_000);
  let database: { uri: string; drop: () => Promise<void> };
  let proxy: FaultProxy;
  let service: ServiceProcess;

  before(async () => {
    database = await createScratchDatabase('fault_breaker');
    const target = new URL(testPostgresUri);
    proxy = await FaultProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
    const viaProxy = new URL(database.uri);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    // No REDIS_URI: the in-process cache; the writes below go to the store every time.
    service = await ServiceProcess.start({ POSTGRES_URI: viaProxy.toString(), LOG_LEVEL: 'warn' });
  });

  after(async () => {
    await service?.stop('SIGKILL');
    await proxy?.close();
    await database?.drop();
  });

  it('opens within 2 s of the fault under POST load, and answers no 503 once PostgreSQL answers again', async () => {
    const origin = performance.now();
    const now = () => performance.now() - origin;
    const answers: Answer[] = [];
    /** Requests without an answer yet, with when each was sent. */
    const inFlight = new Map<Promise<void>, number>();
    // Open loop: clients keep arriving every 20 ms whatever the service is doing, as they do in
    // production (a closed loop would stop sending while its workers wait out the black-hole).
    const send = () => {
      const sentAt = now();
      const request = timedRequest({ url: `${service.url}/pings`, method: 'POST', body: { note: 'load' } }).then(
        (sample) => void answers.push({ ...sample, sentAt, doneAt: now() }),
      );
      inFlight.set(request, sentAt);
      void request.finally(() => inFlight.delete(request));
    };
    const breakerLog = () =>
      service.logs.flatMap((line) => (line.breaker === 'postgres' ? [line.state as string] : [])).join(' ');
    const fastFailure = (a: Answer) => a.status === 503 && a.ms < 100; // the breaker's: no budget waited
    let faultAt = Infinity;
    let restoredAt = Infinity;
    const arrivals = setInterval(send, 20);
    try {
      // Healthy and busy: the window fills with successes, which the failures alone never outnumber.
      // 20 s: 150 answers take 3 s at the arrival rate; the rest is room for a busy machine.
      await waitUntil(() => answers.filter((a) => a.status === 201).length >= 150, {
        timeoutMs: 20_000,
        what: '150 acknowledged writes before the fault',
      });
      faultAt = now();
      proxy.setMode('blackhole');
      // 15 s: past the bound this test allows (asserted below, with the figure), so a slow opening
      // fails on that bound, not here.
      await waitUntil(() => answers.some((a) => a.sentAt > faultAt && fastFailure(a)), {
        timeoutMs: 15_000,
        what: 'a fast 503 under the black-hole',
        describe: () => `breaker states logged: ${breakerLog()}`,
      });
      // After its reset time the breaker lets calls through again, and the black-hole catches them
      // too: restoring now leaves them pending, to fail late once PostgreSQL answers.
      // 10 s: the reset time (2 s by default) plus room for a busy machine.
      await waitUntil(() => breakerLog().includes('open half_open'), {
        timeoutMs: 10_000,
        what: 'the breaker to let calls through again (half_open)',
        describe: () => `breaker states logged: ${breakerLog()}`,
      });
      restoredAt = now();
      proxy.setMode('pass'); // no reset: the connections the black-hole caught fail later, by their deadline
      // Until every request sent before the restore has its answer (the late failures are then
      // all in), and 100 more were sent after the last of them: a breaker reopened by a late
      // failure would answer those 503 at once.
      // 20 s: the client gives up on a request after 10 s; 100 arrivals take 2 s.
      await waitUntil(
        () => {
          if ([...inFlight.values()].some((sentAt) => sentAt < restoredAt)) return false;
          const lastLate = Math.max(...answers.filter((a) => a.sentAt < restoredAt).map((a) => a.doneAt));
          return answers.filter((a) => a.sentAt > lastLate).length >= 100;
        },
        { timeoutMs: 20_000, what: 'the answers to the requests the black-hole caught, and 100 after them' },
      );
    } finally {
      clearInterval(arrivals);
      await Promise.all(inFlight.keys());
    }

    const healthy = answers.filter((a) => a.doneAt < faultAt);
    expect(healthy.length, 'answers before the fault').to.be.greaterThan(20);
    const unhealthy = healthy.filter((a) => a.status !== 201);
    const explain = (list: Answer[]) =>
      JSON.stringify(
        list.slice(0, 5).map(({ status, ms, sentAt, body, error }) => ({ status, ms, sentAt, body, error })),
      );
    expect(
      unhealthy.length,
      `answers before the fault that were not 201: ${explain(unhealthy)}; breaker states logged: ${breakerLog()}`,
    ).to.equal(0);

    // Open: the first answer that is a fast 503 during the fault.
    const during = answers.filter((a) => a.sentAt > faultAt && a.doneAt < restoredAt);
    const firstFast = during.find(fastFailure);
    const openedAfterMs = firstFast ? Math.round(firstFast.doneAt - faultAt) : null;
    const slowDuringFault = during.filter((a) => a.ms >= 100).length;
    const faultFigures =
      `time to open ${openedAfterMs} ms; answers during the fault: ${during.length} ` +
      `(${during.filter((a) => a.status === 503).length} × 503, ${slowDuringFault} waited a budget)`;
    figures('store breaker under a black-hole: %s', faultFigures);
    expect(openedAfterMs, 'a fast 503 while black-holed').to.not.equal(null);
    // The point of the test: open within 2 s whatever successes came before (the window alone
    // took much longer after a busy period): a second of silence opens it; the rest is room for a
    // busy machine.
    expect(openedAfterMs!, faultFigures).to.be.lessThan(2_000 + 500);
    expect(during.every((a) => a.status === 503)).to.equal(true);
    expect(answers.filter((a) => a.sentAt > faultAt && a.status === 201 && a.doneAt < restoredAt)).to.have.length(0);

    const firstHealthy = answers.find((a) => a.sentAt >= restoredAt && a.status === 201);
    expect(firstHealthy, 'a 201 once PostgreSQL is back').to.not.equal(undefined);
    const afterRecovery = answers.filter((a) => a.sentAt > firstHealthy!.doneAt);
    const failedAfterRecovery = afterRecovery.filter((a) => a.status !== 201);
    figures(
      'store breaker: first 201 %d ms after the restore; then %d answers, %d not 201',
      Math.round(firstHealthy!.doneAt - restoredAt),
      afterRecovery.length,
      failedAfterRecovery.length,
    );
    expect(afterRecovery.length).to.be.greaterThan(20);
    expect(
      failedAfterRecovery.map((a) => a.status),
      `breaker states logged: ${breakerLog()}`,
    ).to.deep.equal([]);
  });

  it('opens within 2 s under GET /ping load too, where its callers share one store call, and every answer meanwhile is 200', async () => {
    proxy.setMode('pass');
    // TTL 1 s, so the store is asked within a second of the fault; a grace that outlasts the test.
    const reads = await ServiceProcess.start({
      POSTGRES_URI: proxyUri(database.uri, proxy.port),
      CACHE_TTL_SECONDS: '1',
      STALE_GRACE_SECONDS: '60',
      LOG_LEVEL: 'warn',
    });
    const answers: Array<Sample & { sentAt: number }> = [];
    let running = true;
    const worker = async () => {
      while (running) {
        const sentAt = Date.now();
        answers.push({ ...(await timedRequest({ url: `${reads.url}/ping` })), sentAt });
      }
    };
    const workers = Array.from({ length: 10 }, worker);
    const opened = () => reads.logs.find((line) => line.breaker === 'postgres' && line.state === 'open');
    try {
      // 10 s: two TTLs of MISS and HIT answers, with room for a busy machine.
      await waitUntil(() => answers.filter((a) => a.xCache === 'MISS').length >= 2, {
        timeoutMs: 10_000,
        what: 'cache misses recorded before the fault',
      });
      const faultAt = Date.now();
      proxy.setMode('blackhole');
      // 10 s: past the bound asserted below, so that a slow opening fails there, with its figure.
      await waitUntil(opened, { timeoutMs: 10_000, what: 'the store breaker opening under GET load' });
      const openedAt = Date.parse(String(opened()!.time));
      // The first request after the fault that found the entry past its freshness: the one store call.
      const firstStale = answers.find((a) => a.sentAt >= faultAt && a.xCache === 'STALE');
      const figure = `opened ${openedAt - faultAt} ms after the fault, ${firstStale ? openedAt - firstStale.sentAt : '?'} ms after the store was first asked`;
      figures('store breaker under GET load: %s', figure);
      // The bound of the issue: a second of silence opens it, and the store is asked within the TTL.
      expect(openedAt - faultAt, figure).to.be.lessThan(2_000 + 500);
      const during = answers.filter((a) => a.sentAt >= faultAt);
      expect(during.filter((a) => a.status !== 200).map((a) => `${a.status} ${a.error ?? ''}`)).to.deep.equal([]);
    } finally {
      running = false;
      await Promise.all(workers);
      proxy.setMode('pass');
      await reads.stop('SIGKILL');
    }
  });
});

/** `uri` with its host and port replaced by the fault proxy's. */
function proxyUri(uri: string, port: number): string {
  const viaProxy = new URL(uri);
  viaProxy.hostname = '127.0.0.1';
  viaProxy.port = String(port);
  return viaProxy.toString();
}
