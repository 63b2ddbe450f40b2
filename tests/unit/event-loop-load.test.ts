import { setTimeout as delay } from 'node:timers/promises';
import { expect } from 'chai';
import { waitUntil } from '../../harness/wait-until.js';
import { EventLoopLoad } from '../../interfaces/startup/event-loop-load.js';

/** Keeps the event loop busy for `ms`, as a flood of requests would. */
function blockFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy
  }
}

describe('EventLoopLoad: the event loop lag that sheds load', () => {
  it('reads a loop that stays behind as overloaded, and a loop that runs freely again as not', async () => {
    const load = new EventLoopLoad();
    load.start();
    try {
      expect(load.overloaded()).to.equal(null);
      blockFor(800);
      // Bounds: a few of its 50 ms ticks, with room for a busy machine.
      await waitUntil(() => load.overloaded() === 'event_loop_delay', { timeoutMs: 2_000, what: 'overloaded' });
      await waitUntil(() => load.overloaded() === null, { timeoutMs: 2_000, what: 'no longer overloaded' });
    } finally {
      load.stop();
    }
  });

  it('does not shed for one late tick: a garbage collection or a moment without the CPU', async () => {
    const load = new EventLoopLoad();
    load.start();
    try {
      blockFor(150);
      // Time passing is the point: let the late tick and the next one be read.
      await delay(120);
      expect(load.overloaded()).to.equal(null);
    } finally {
      load.stop();
    }
  });
});
