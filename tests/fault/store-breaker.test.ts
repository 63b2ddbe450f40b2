import { expect } from 'chai';
import { FaultProxy } from '../../harness/fault-proxy.js';
import { timedRequest, type Sample } from '../support/load.js';
import { ServiceProcess } from '../support/service-process.js';
import { createScratchDatabase, testPostgresUri } from '../support/test-servers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Answer extends Sample {
  /** ms since the test's origin, when the request was sent and when its answer came. */
  readonly sentAt: number;
  readonly doneAt: number;
}

/**
 * The store breaker under load, with the service's default budgets (acquire 1 s, statement 2 s,
 * read deadline 3 s), as the issue reproduced it: a 9 s black-hole after a busy, healthy
 * period. It must open soon whatever successes came before, and once PostgreSQL answers again
 * it must not open on the late failures of calls the black-hole caught.
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

  it('opens within a few seconds of the fault, and answers no 503 once PostgreSQL answers again', async () => {
    const origin = performance.now();
    const now = () => performance.now() - origin;
    const answers: Answer[] = [];
    const inFlight = new Set<Promise<void>>();
    // Open loop: clients keep arriving every 20 ms whatever the service is doing, as they do in
    // production (a closed loop would stop sending while its workers wait out the black-hole).
    const send = () => {
      const sentAt = now();
      const request = timedRequest({ url: `${service.url}/pings`, method: 'POST', body: { note: 'load' } }).then(
        (sample) => void answers.push({ ...sample, sentAt, doneAt: now() }),
      );
      inFlight.add(request);
      void request.finally(() => inFlight.delete(request));
    };
    const arrivals = setInterval(send, 20);

    await sleep(3_000); // healthy and busy: the window fills with successes
    const faultAt = now();
    proxy.setMode('blackhole');
    await sleep(9_000);
    const restoredAt = now();
    proxy.setMode('pass'); // no reset: the connections the black-hole caught fail later, by their deadline
    await sleep(8_000);
    clearInterval(arrivals);
    await Promise.all(inFlight);

    const healthy = answers.filter((a) => a.doneAt < faultAt);
    expect(healthy.length, 'answers before the fault').to.be.greaterThan(20);
    expect(healthy.every((a) => a.status === 201)).to.equal(true);

    // Open: the first answer that is a fast 503 (the breaker's, no budget waited) during the fault.
    const firstFast = answers.find(
      (a) => a.sentAt > faultAt && a.doneAt < restoredAt && a.status === 503 && a.ms < 100,
    );
    const openedAfterMs = firstFast ? Math.round(firstFast.doneAt - faultAt) : null;
    const slowDuringFault = answers.filter((a) => a.sentAt > faultAt && a.doneAt < restoredAt && a.ms >= 100).length;
    const during = answers.filter((a) => a.sentAt > faultAt && a.doneAt < restoredAt);
    console.log(
      `      time to open under the black-hole: ${openedAfterMs} ms; answers during the fault: ${during.length} ` +
        `(${during.filter((a) => a.status === 503).length} × 503, ${slowDuringFault} waited a budget)`,
    );
    expect(openedAfterMs, 'a fast 503 while black-holed').to.not.equal(null);
    expect(openedAfterMs!).to.be.lessThan(4_000);
    expect(during.every((a) => a.status === 503)).to.equal(true);
    expect(answers.filter((a) => a.sentAt > faultAt && a.status === 201 && a.doneAt < restoredAt)).to.have.length(0);

    const firstHealthy = answers.find((a) => a.sentAt >= restoredAt && a.status === 201);
    expect(firstHealthy, 'a 201 once PostgreSQL is back').to.not.equal(undefined);
    const afterRecovery = answers.filter((a) => a.sentAt > firstHealthy!.doneAt);
    const failedAfterRecovery = afterRecovery.filter((a) => a.status !== 201);
    console.log(
      `      first 201 ${Math.round(firstHealthy!.doneAt - restoredAt)} ms after the restore; ` +
        `then ${afterRecovery.length} answers, ${failedAfterRecovery.length} not 201`,
    );
    expect(afterRecovery.length).to.be.greaterThan(20);
    expect(failedAfterRecovery.map((a) => a.status)).to.deep.equal([]);
  });
});
