import { expect } from 'chai';
import { Bulkhead } from '../../infrastructure/resilience/bulkhead.js';

/** A call that finishes when the test says so. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, call: () => opened.then(() => 'done') };
}

const refused = (why: string) => Object.assign(new Error(why), { refused: true });

describe('Bulkhead: a bounded number of calls at once, a bounded queue, a bounded wait', () => {
  it('runs up to `concurrency` calls at once and hands a finishing call its slot to the oldest waiter', async () => {
    const bulkhead = new Bulkhead({ concurrency: 2, queue: 2, queueWaitMs: 60_000 }, refused);
    const gates = [gate(), gate(), gate()];
    const started: number[] = [];
    const runs = gates.map((g, i) =>
      bulkhead.run(() => {
        started.push(i);
        return g.call();
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).to.deep.equal([0, 1]);
    gates[0]!.open();
    await runs[0];
    // A newcomer arriving as the slot is handed over waits behind the third call.
    const late = gate();
    const lateRun = bulkhead.run(() => {
      started.push(3);
      return late.call();
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).to.deep.equal([0, 1, 2]);
    gates[1]!.open();
    gates[2]!.open();
    late.open();
    expect(await Promise.all([...runs, lateRun])).to.deep.equal(['done', 'done', 'done', 'done']);
    expect(started).to.deep.equal([0, 1, 2, 3]);
  });

  it('refuses at once a call that finds every slot busy and the queue full, without running it', async () => {
    const bulkhead = new Bulkhead({ concurrency: 1, queue: 1, queueWaitMs: 60_000 }, refused);
    const running = gate();
    const first = bulkhead.run(running.call);
    const queued = bulkhead.run(async () => 'queued');
    let ran = false;
    const error = await bulkhead
      .run(async () => {
        ran = true;
        return 'never';
      })
      .catch((e: unknown) => e);
    expect(error).to.have.property('refused', true);
    expect((error as Error).message).to.equal('1 calls running and 1 waiting');
    expect(ran).to.equal(false);
    running.open();
    expect(await Promise.all([first, queued])).to.deep.equal(['done', 'queued']);
  });

  it('refuses a waiter past `queueWaitMs`, and the slot it would have had goes to the next call', async () => {
    const bulkhead = new Bulkhead({ concurrency: 1, queue: 4, queueWaitMs: 20 }, refused);
    const running = gate();
    const first = bulkhead.run(running.call);
    const error = await bulkhead.run(async () => 'too late').catch((e: unknown) => e);
    expect((error as Error).message).to.equal('no slot within 20 ms');
    running.open();
    await first;
    expect(await bulkhead.run(async () => 'next')).to.equal('next');
  });

  it('frees the slot of a call that fails', async () => {
    const bulkhead = new Bulkhead({ concurrency: 1, queue: 0, queueWaitMs: 20 }, refused);
    await bulkhead.run(() => Promise.reject(new Error('store down'))).catch(() => undefined);
    expect(await bulkhead.run(async () => 'again')).to.equal('again');
  });
});
