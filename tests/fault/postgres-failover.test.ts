import { expect } from 'chai';
import { FaultProxy } from '../../harness/fault-proxy.js';
import { waitUntil } from '../../harness/wait-until.js';
import { POSTGRES_BUDGETS, READ_DEADLINE_MARGIN_MS } from '../../infrastructure/postgres/postgres-budgets.js';
import { figures } from '../support/figures.js';
import { runLoad, summarize, type Sample } from '../support/load.js';
import { PostgresPair } from '../support/postgres-pair.js';
import { ServiceProcess } from '../support/service-process.js';

/**
 * The bound: a 201 again within this long of the promotion. The store breaker, opened by
 * the outage, lets calls through again within 2 s; a new connection then finds the new primary.
 */
const WRITES_AFTER_PROMOTION_MS = 5_000;

/**
 * The longest a write waits on a store that does not answer: a pooled connection within the
 * acquire budget, then the statement until the client-side read deadline (statement budget plus
 * margin), so the crash is answered 503 within this.
 */
const WRITE_BUDGET_MS =
  POSTGRES_BUDGETS.acquireTimeoutMs + POSTGRES_BUDGETS.statementTimeoutMs + READ_DEADLINE_MARGIN_MS;

interface Timed extends Sample {
  readonly at: number;
}

/**
 * A primary and its synchronous standby; the primary crashes (`-m immediate`) under POST /pings
 * load and the standby is promoted. The service must answer only 201 or 503, write again soon
 * after the promotion without a restart, and every id it acknowledged must be on the new primary.
 */
describe('fault injection: PostgreSQL primary crashed and standby promoted, under write load', function () {
  this.timeout(180_000);

  async function failover(
    pair: PostgresPair,
    service: ServiceProcess,
    afterPromotion: () => void = () => {},
  ): Promise<void> {
    const samples: Timed[] = [];
    let stop = false;
    const load = runLoad({
      url: `${service.url}/pings`,
      method: 'POST',
      body: { note: 'failover' },
      concurrency: 8,
      requests: 1_000_000,
      timeoutMs: 10_000,
      shouldContinue: () => !stop,
      onSample: (_, sample) => samples.push({ ...sample, at: Date.now() }),
    });
    let crashedAt = 0;
    let promotedAt = 0;
    const acknowledgedAfter = (since: number) => samples.filter((s) => s.at > since && s.status === 201).length;
    try {
      // 10 s: 20 writes take milliseconds; the rest is room for a busy machine.
      await waitUntil(() => acknowledgedAfter(0) >= 20, { timeoutMs: 10_000, what: '20 writes before the crash' });
      crashedAt = Date.now();
      await pair.crash(pair.primary);
      // The promotion comes once the service has felt the crash (an HA manager decides after a
      // while too); promoting earlier would test nothing of the outage.
      // A write fails within its budget; 6 s more is room for a busy machine.
      await waitUntil(() => samples.some((s) => s.at > crashedAt && s.status === 503), {
        timeoutMs: WRITE_BUDGET_MS + 6_000,
        what: 'a 503 after the crash',
      });
      const promoting = Date.now();
      await pair.promote();
      promotedAt = Date.now();
      figures('PostgreSQL failover: promotion took %d ms', promotedAt - promoting);
      afterPromotion();
      // The bound is the test's own (asserted below), plus 2 s so a late recovery is measured.
      await waitUntil(() => acknowledgedAfter(promotedAt) > 0, {
        timeoutMs: WRITES_AFTER_PROMOTION_MS + 2_000,
        what: 'a 201 after the promotion',
      }).catch(() => undefined); // the assertions below say what was missing
      // Steady writes after the recovery, not one lucky answer. 10 s: as before the crash.
      await waitUntil(() => acknowledgedAfter(promotedAt) >= 20, {
        timeoutMs: 10_000,
        what: '20 writes after the promotion',
      }).catch(() => undefined);
    } finally {
      stop = true;
      await load;
    }

    const summary = summarize(samples);
    const afterCrash = samples.filter((s) => s.at >= crashedAt);
    const firstFailed = afterCrash.find((s) => s.status !== 201);
    const firstWriteAgain = samples.find((s) => s.at > promotedAt && s.status === 201);
    const acknowledged = samples
      .filter((s) => s.status === 201)
      .map((s) => (s.body as { ping: { id: number } }).ping.id);
    const present = await pair.query<{ id: string }>(
      pair.standby,
      'select id from pings where id = any($1::bigint[])',
      [acknowledged],
    );
    const failoverFigures =
      `${JSON.stringify(summary)}; first 201 ${firstWriteAgain ? firstWriteAgain.at - promotedAt : 'never'} ms ` +
      `after the promotion; outage window (first failed answer to first 201 again) ` +
      `${firstFailed && firstWriteAgain ? firstWriteAgain.at - firstFailed.at : '?'} ms; ` +
      `${present.length}/${acknowledged.length} acknowledged ids on the new primary`;
    figures('PostgreSQL failover: %s', failoverFigures);
    expect(Object.keys(summary.byStatus).filter((status) => status !== '201' && status !== '503')).to.deep.equal([]);
    expect(summary.byStatus[503] ?? 0, 'the crash was felt').to.be.greaterThan(0);
    expect(firstWriteAgain, 'writes resume without a restart').to.not.equal(undefined);
    // The bound, the point of the test: kept as it was.
    expect(firstWriteAgain!.at - promotedAt, failoverFigures).to.be.at.most(WRITES_AFTER_PROMOTION_MS);
    expect(present.length, 'every acknowledged ping is on the new primary').to.equal(acknowledged.length);
  }

  const serviceEnv = (uri: string) => ({ POSTGRES_URI: uri });

  describe('behind a proxy that follows the primary (as Stolon does)', () => {
    let pair: PostgresPair | undefined;
    let proxy: FaultProxy | undefined;
    let service: ServiceProcess | undefined;

    before(async () => {
      pair = await PostgresPair.start();
      proxy = await FaultProxy.start({ host: '127.0.0.1', port: pair.primary.port });
      service = await ServiceProcess.start(serviceEnv(`postgres://postgres@127.0.0.1:${proxy.port}/postgres`));
    });

    after(async () => {
      await service?.stop('SIGKILL');
      await proxy?.close();
      await pair?.close();
    });

    it('only 201 or 503, 201 again within 5 s of the promotion, every acknowledged id kept', async () => {
      await failover(pair!, service!, () => proxy!.retarget({ host: '127.0.0.1', port: pair!.standby.port }));
    });
  });

  describe('through the multi-host URI with target_session_attrs=read-write', () => {
    let pair: PostgresPair | undefined;
    let service: ServiceProcess | undefined;

    before(async () => {
      pair = await PostgresPair.start();
      const hosts = `127.0.0.1:${pair.primary.port},127.0.0.1:${pair.standby.port}`;
      service = await ServiceProcess.start(
        serviceEnv(`postgres://postgres@${hosts}/postgres?target_session_attrs=read-write`),
      );
    });

    after(async () => {
      await service?.stop('SIGKILL');
      await pair?.close();
    });

    it('only 201 or 503, 201 again within 5 s of the promotion, every acknowledged id kept', async () => {
      await failover(pair!, service!);
    });
  });
});
