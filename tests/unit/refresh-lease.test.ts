import { expect } from 'chai';
import type { RecordLease } from '../../domain/record-lease.port.js';
import { RefreshLease, type LeaseTimings } from '../../domain/refresh-lease.js';
import type { PolicyStep, StepTracer } from '../../domain/step-tracer.port.js';
import { FakeClock } from '../support/fake-clock.js';
import { RecordingMonitor } from '../support/test-doubles.js';

const TIMINGS: LeaseTimings = { leaseTtlMs: 2_000, leaseWaitMs: 1_000, leasePollMs: 25 };

/** A lease port that answers `acquire` as told and records every call. */
class SpyLease implements RecordLease {
  readonly acquired: Array<{ key: string; ttlMs: number }> = [];
  readonly released: Array<{ key: string; token: string }> = [];
  releaseFailure: Error | null = null;
  constructor(private readonly answer: () => Promise<string | null>) {}
  acquire(key: string, ttlMs: number): Promise<string | null> {
    this.acquired.push({ key, ttlMs });
    return this.answer();
  }
  async release(key: string, token: string): Promise<void> {
    this.released.push({ key, token });
    if (this.releaseFailure) throw this.releaseFailure;
  }
}

/** Records each step the lease takes and what it came to, as a tracer would see them. */
class RecordingSteps implements StepTracer {
  readonly steps: Array<{ name: PolicyStep; outcome: string }> = [];
  async step<T>(name: PolicyStep, work: () => Promise<T>, outcome: (result: T) => string): Promise<T> {
    const result = await work();
    this.steps.push({ name, outcome: outcome(result) });
    return result;
  }
}

function makeSut(port: RecordLease | null) {
  const clock = new FakeClock();
  const monitor = new RecordingMonitor();
  const steps = new RecordingSteps();
  const sut = new RefreshLease(port, 'k:lease', TIMINGS, clock, monitor, steps);
  return { sut, clock, monitor, steps };
}

describe('RefreshLease: one refresh across instances', () => {
  describe('steps (what a trace shows)', () => {
    it('shows the take, the wait and the release, each with what it came to', async () => {
      const { sut, steps } = makeSut(new SpyLease(async () => 'token-1'));
      const attempt = await sut.acquire();
      await sut.awaitHolder(async () => 'entry');
      if (attempt.kind === 'held') await attempt.release();
      expect(steps.steps).to.deep.equal([
        { name: 'lease take', outcome: 'held' },
        { name: 'lease wait', outcome: 'found' },
        { name: 'lease release', outcome: 'released' },
      ]);
    });

    it('shows a lease another holds as taken, a failed release as failed, and takes no step without a lease port', async () => {
      const taken = makeSut(new SpyLease(async () => null));
      await taken.sut.acquire();
      expect(taken.steps.steps).to.deep.equal([{ name: 'lease take', outcome: 'taken' }]);

      const port = new SpyLease(async () => 'token-1');
      port.releaseFailure = new Error('connection lost');
      const failing = makeSut(port);
      const attempt = await failing.sut.acquire();
      if (attempt.kind === 'held') await attempt.release();
      expect(failing.steps.steps.at(-1)).to.deep.equal({ name: 'lease release', outcome: 'failed' });

      const alone = makeSut(null);
      expect(await alone.sut.acquire()).to.deep.equal({ kind: 'unavailable' });
      expect(alone.steps.steps).to.deep.equal([]);
    });
  });

  describe('acquire', () => {
    it('is held when the port hands out a token, and releases with that token', async () => {
      const port = new SpyLease(async () => 'token-1');
      const { sut } = makeSut(port);
      const attempt = await sut.acquire();
      expect(attempt.kind).to.equal('held');
      expect(port.acquired).to.deep.equal([{ key: 'k:lease', ttlMs: 2_000 }]);
      if (attempt.kind === 'held') await attempt.release();
      expect(port.released).to.deep.equal([{ key: 'k:lease', token: 'token-1' }]);
    });

    it('is taken when another instance holds it, and then nothing is ever released', async () => {
      const port = new SpyLease(async () => null);
      const { sut } = makeSut(port);
      const attempt = await sut.acquire();
      expect(attempt).to.deep.equal({ kind: 'taken' });
      expect(attempt).to.not.have.property('release');
      expect(port.released).to.deep.equal([]);
    });

    it('is unavailable without a lease port, and that is no failure', async () => {
      const { sut, monitor } = makeSut(null);
      expect(await sut.acquire()).to.deep.equal({ kind: 'unavailable' });
      expect(monitor.events).to.deep.equal([]);
    });

    it('is unavailable when the port fails, reported as a cache failure', async () => {
      const port = new SpyLease(() => Promise.reject(new Error('redis down')));
      const { sut, monitor } = makeSut(port);
      expect(await sut.acquire()).to.deep.equal({ kind: 'unavailable' });
      expect(monitor.failures('cache')).to.equal(1);
      expect(port.released).to.deep.equal([]);
    });

    it('reports a failed release instead of throwing: the lease expires by itself', async () => {
      const port = new SpyLease(async () => 'token-1');
      port.releaseFailure = new Error('redis down');
      const { sut, monitor } = makeSut(port);
      const attempt = await sut.acquire();
      if (attempt.kind !== 'held') throw new Error('expected a held lease');
      await attempt.release();
      expect(monitor.failures('cache')).to.equal(1);
    });
  });

  describe('awaitHolder', () => {
    it("polls every leasePollMs and returns the holder's entry once it shows", async () => {
      const { sut, clock } = makeSut(null);
      const started = clock.now();
      let reads = 0;
      const entry = await sut.awaitHolder(async () => (++reads === 3 ? 'entry' : null));
      expect(entry).to.equal('entry');
      expect(clock.now() - started).to.equal(3 * TIMINGS.leasePollMs);
    });

    it('gives up after leaseWaitMs, to the millisecond, on the fake clock', async () => {
      const { sut, clock } = makeSut(null);
      const started = clock.now();
      let reads = 0;
      const entry = await sut.awaitHolder(async () => {
        reads++;
        return null;
      });
      expect(entry).to.equal(null);
      expect(clock.now() - started).to.equal(TIMINGS.leaseWaitMs);
      expect(reads).to.equal(TIMINGS.leaseWaitMs / TIMINGS.leasePollMs);
    });

    it('stops at the first failed read and reports it as a cache failure', async () => {
      const { sut, clock, monitor } = makeSut(null);
      const started = clock.now();
      const entry = await sut.awaitHolder(() => Promise.reject(new Error('redis down')));
      expect(entry).to.equal(null);
      expect(clock.now() - started).to.equal(TIMINGS.leasePollMs);
      expect(monitor.failures('cache')).to.equal(1);
    });
  });
});
