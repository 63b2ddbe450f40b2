import { expect } from 'chai';
import { InvalidInputError, StoreOverloadedError, StoreUnavailableError } from '../../domain/errors.js';
import { LAST_PING_KEY } from '../../domain/ping-service.js';
import type { RecordLease } from '../../domain/record-lease.port.js';
import { MemoryRecordLease } from '../../infrastructure/memory/memory-record-lease.js';
import { makePingService } from '../support/make-ping-service.js';

describe('PingService: the cache-aside policy', () => {
  describe('GET /ping', () => {
    it('records one ping and caches it on a cold cache (MISS)', async () => {
      const { sut, store, sharedCache } = makePingService();
      const result = await sut.getPing();
      expect(result.outcome).to.equal('recorded');
      expect(result.ping.id).to.equal(1);
      expect(store.records).to.equal(1);
      expect(await sharedCache.get(LAST_PING_KEY)).to.have.nested.property('ping.id', 1);
    });

    it('serves a fresh entry without touching the store (HIT)', async () => {
      const { sut, store } = makePingService();
      const first = await sut.getPing();
      for (let i = 0; i < 5; i++) {
        const hit = await sut.getPing();
        expect(hit.outcome).to.equal('cached');
        expect(hit.ping).to.deep.equal(first.ping);
      }
      expect(store.records).to.equal(1);
      expect(store.lists).to.equal(0);
    });

    it('records again once the TTL has passed, and not a millisecond before', async () => {
      const { sut, store, clock, policy } = makePingService();
      await sut.getPing();
      clock.advance(policy.ttlMs - 1);
      expect((await sut.getPing()).outcome).to.equal('cached');
      clock.advance(1);
      const again = await sut.getPing();
      expect(again.outcome).to.equal('recorded');
      expect(again.ping.id).to.equal(2);
      expect(store.records).to.equal(2);
    });

    it('keeps entries for TTL + grace so a stale one can be served later', async () => {
      const { sut, sharedCache, clock, policy } = makePingService();
      await sut.getPing();
      clock.advance(policy.ttlMs + policy.staleGraceMs - 1);
      expect(await sharedCache.get(LAST_PING_KEY)).to.not.equal(null);
      clock.advance(1);
      expect(await sharedCache.get(LAST_PING_KEY)).to.equal(null);
    });

    it('shares one store call among concurrent misses in a process (single-flight)', async () => {
      const { sut, store } = makePingService();
      const results = await Promise.all(Array.from({ length: 100 }, () => sut.getPing()));
      expect(store.records).to.equal(1);
      expect(new Set(results.map((r) => r.ping.id))).to.deep.equal(new Set([1]));
    });
  });

  describe('coalescing', () => {
    it('serves a burst of concurrent HITs with one cache read', async () => {
      const { sut, sharedCache } = makePingService();
      await sut.getPing();
      const readsBefore = sharedCache.gets;
      const results = await Promise.all(Array.from({ length: 50 }, () => sut.getPing()));
      expect(results.every((r) => r.outcome === 'cached')).to.equal(true);
      expect(sharedCache.gets - readsBefore).to.equal(1);
    });
  });

  describe('when the shared cache fails', () => {
    it('answers from the store (BYPASS) and keeps once-per-TTL with the local tier', async () => {
      const { sut, store, sharedCache, monitor } = makePingService();
      sharedCache.failWith = new Error('redis down');
      const first = await sut.getPing();
      expect(first.outcome).to.equal('recorded-locally');
      for (let i = 0; i < 10; i++) {
        const next = await sut.getPing();
        expect(next.outcome).to.equal('cached-locally');
        expect(next.ping.id).to.equal(first.ping.id);
      }
      expect(store.records).to.equal(1);
      expect(monitor.failures('cache')).to.be.greaterThan(0);
    });

    it('resumes HITs when the shared cache returns', async () => {
      const { sut, sharedCache, clock, policy } = makePingService();
      sharedCache.failWith = new Error('redis down');
      await sut.getPing();
      sharedCache.failWith = null;
      clock.advance(policy.ttlMs);
      expect((await sut.getPing()).outcome).to.equal('recorded');
      expect((await sut.getPing()).outcome).to.equal('cached');
    });
  });

  describe('when the store fails (stale-if-error)', () => {
    it('serves the stale entry within the grace period (STALE)', async () => {
      const { sut, store, clock, policy } = makePingService();
      const first = await sut.getPing();
      clock.advance(policy.ttlMs + 1);
      store.failWith = new StoreUnavailableError('connection refused');
      const stale = await sut.getPing();
      expect(stale.outcome).to.equal('stale');
      expect(stale.ping.id).to.equal(first.ping.id);
    });

    it('throws StoreUnavailableError when there is nothing to serve', async () => {
      const { sut, store } = makePingService();
      store.failWith = new StoreUnavailableError('connection refused');
      const error = await sut.getPing().then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(StoreUnavailableError);
    });

    it('throws once the grace period is over', async () => {
      const { sut, store, clock, policy } = makePingService();
      await sut.getPing();
      clock.advance(policy.ttlMs + policy.staleGraceMs);
      store.failWith = new StoreUnavailableError('connection refused');
      await expectRejection(sut.getPing(), StoreUnavailableError);
    });
  });

  describe('when the store is slow (stale while refreshing)', () => {
    /** A store call that answers only when the test says so. */
    function holdStore(store: { holdRecords: Promise<void> | null }) {
      let release!: () => void;
      store.holdRecords = new Promise<void>((resolve) => (release = resolve));
      return () => {
        store.holdRecords = null;
        release();
      };
    }

    it('answers STALE once the fallback budget has passed, and the one refresh goes on in the background', async () => {
      const { sut, store, clock, policy } = makePingService();
      const first = await sut.getPing();
      clock.advance(policy.ttlMs + 1);
      const release = holdStore(store);
      const startedAt = clock.now();
      const stale = await sut.getPing();
      expect(stale).to.deep.equal({ ping: first.ping, outcome: 'stale' });
      expect(clock.now() - startedAt, 'waited the fallback budget, no more').to.equal(policy.staleFallbackMs);
      expect(store.records).to.equal(2);

      // Later requests join the refresh under way: STALE at once, no second insert.
      const again = await sut.getPing();
      expect(again.outcome).to.equal('stale');
      expect(clock.now() - startedAt, 'no second wait').to.equal(policy.staleFallbackMs);
      expect(store.records).to.equal(2);

      // Once the refresh has written the caches, the next request gets its entry.
      release();
      await waitForMicrotasks();
      const fresh = await sut.getPing();
      expect(fresh.outcome).to.equal('cached');
      expect(fresh.ping.id).to.be.greaterThan(first.ping.id);
      expect(store.records).to.equal(2);
    });

    it('answers with the refresh when it comes within the budget (MISS, not STALE)', async () => {
      const { sut, clock, policy } = makePingService();
      const first = await sut.getPing();
      clock.advance(policy.ttlMs + 1);
      const refreshed = await sut.getPing();
      expect(refreshed.outcome).to.equal('recorded');
      expect(refreshed.ping.id).to.be.greaterThan(first.ping.id);
    });

    it('never answers STALE without an entry within the grace: a cold request waits for the store', async () => {
      const { sut, store, clock, policy } = makePingService();
      await sut.getPing();
      clock.advance(policy.ttlMs + policy.staleGraceMs);
      const release = holdStore(store);
      let settled = false;
      const waiting = sut.getPing().finally(() => (settled = true));
      await clock.sleep(10 * policy.staleFallbackMs);
      expect(settled, 'still waiting for the store').to.equal(false);
      release();
      expect((await waiting).outcome).to.equal('recorded');
    });

    it('serves STALE when the background refresh then fails, and counts the outage once', async () => {
      const { sut, store, clock, policy, monitor } = makePingService();
      const first = await sut.getPing();
      clock.advance(policy.ttlMs + 1);
      const release = holdStore(store);
      expect((await sut.getPing()).outcome).to.equal('stale');
      store.failWith = new StoreUnavailableError('connection lost');
      release();
      await waitForMicrotasks();
      expect(monitor.failures('store')).to.equal(1);
      const next = await sut.getPing();
      expect(next).to.deep.equal({ ping: first.ping, outcome: 'stale' });
    });
  });

  describe('when the store is saturated (overload, not an outage)', () => {
    it('serves the stale entry and never marks the store down', async () => {
      const { sut, store, clock, policy, monitor } = makePingService();
      const first = await sut.getPing();
      clock.advance(policy.ttlMs + 1);
      store.failWith = new StoreOverloadedError('the store is saturated');
      expect(await sut.getPing()).to.deep.equal({ ping: first.ping, outcome: 'stale' });
      expect(monitor.failures('store')).to.equal(0);
    });

    it('refuses a write or a list with StoreOverloadedError, and never marks the store down', async () => {
      const { sut, store, monitor } = makePingService();
      store.failWith = new StoreOverloadedError('the store is saturated');
      await expectRejection(sut.recordPing('x'), StoreOverloadedError);
      await expectRejection(sut.getPing(), StoreOverloadedError);
      expect(monitor.failures('store')).to.equal(0);
    });
  });

  describe('when the store has a defect (not an outage)', () => {
    // The adapter decides what is an outage (StoreUnavailableError); anything else is a bug
    // (a missing table, bad SQL) and must reach the client as a 500, not as a 503 or a STALE.
    it('lets the defect through unchanged, serves no STALE for it, and does not mark the store down', async () => {
      const { sut, store, clock, policy, monitor } = makePingService();
      await sut.getPing();
      clock.advance(policy.ttlMs + 1);
      const defect = Object.assign(new Error('relation "pings" does not exist'), { code: '42P01' });
      store.failWith = defect;
      expect(
        await sut.getPing().then(
          () => null,
          (e: unknown) => e,
        ),
      ).to.equal(defect);
      expect(
        await sut.recordPing('x').then(
          () => null,
          (e: unknown) => e,
        ),
      ).to.equal(defect);
      expect(
        await sut.listPings({ limit: 5 }).then(
          () => null,
          (e: unknown) => e,
        ),
      ).to.equal(defect);
      expect(monitor.failures('store')).to.equal(0);
    });
  });

  describe('POST /pings', () => {
    it('records unconditionally and refreshes the cache so GET /ping returns it', async () => {
      const { sut, store } = makePingService();
      await sut.getPing();
      const posted = await sut.recordPing('hello');
      expect(posted.note).to.equal('hello');
      expect(store.records).to.equal(2);
      const next = await sut.getPing();
      expect(next.outcome).to.equal('cached');
      expect(next.ping).to.deep.equal(posted);
    });

    it('refuses a note longer than 280 characters and records nothing', async () => {
      const { sut, store } = makePingService();
      await expectRejection(sut.recordPing('x'.repeat(281)), InvalidInputError);
      expect(store.records).to.equal(0);
      expect((await sut.recordPing('x'.repeat(280))).note).to.have.length(280);
    });

    it('does not acknowledge a ping the store did not commit', async () => {
      const { sut, store, sharedCache } = makePingService();
      store.failWith = new StoreUnavailableError('statement timeout');
      await expectRejection(sut.recordPing('lost?'), StoreUnavailableError);
      expect(sharedCache.sets).to.equal(0);
    });

    it('still acknowledges a committed ping when the cache cannot be refreshed', async () => {
      const { sut, sharedCache } = makePingService();
      sharedCache.failWith = new Error('redis down');
      expect((await sut.recordPing('kept')).note).to.equal('kept');
    });
  });

  describe('GET /pings', () => {
    it('pages newest first with a cursor and no gap or repeat', async () => {
      const { sut } = makePingService();
      for (let i = 0; i < 7; i++) await sut.recordPing(`n${i}`);
      const seen: number[] = [];
      let before: number | undefined;
      for (;;) {
        const page = await sut.listPings(before === undefined ? { limit: 3 } : { limit: 3, before });
        seen.push(...page.items.map((p) => p.id));
        if (page.nextBefore === null) break;
        before = page.nextBefore;
      }
      expect(seen).to.deep.equal([7, 6, 5, 4, 3, 2, 1]);
    });

    it('refuses limits outside 1..100', async () => {
      const { sut } = makePingService();
      await expectRejection(sut.listPings({ limit: 0 }), InvalidInputError);
      await expectRejection(sut.listPings({ limit: 101 }), InvalidInputError);
    });
  });

  describe('across instances (lease)', () => {
    it('lets only the lease holder record; the others wait and HIT its entry', async () => {
      // Three instances sharing one cache, one store and one lease, as processes share Redis and PostgreSQL.
      const first = makePingService({ lease: null });
      const lease = new MemoryRecordLease(first.clock);
      const { clock, store, sharedCache } = first;
      const instances = [1, 2, 3].map(() => makePingService({ lease, clock, store, sharedCache }).sut);
      const results = await Promise.all(instances.flatMap((sut) => [sut.getPing(), sut.getPing()]));
      expect(store.records).to.equal(1);
      expect(results.filter((r) => r.outcome === 'recorded')).to.have.length(2);
      expect(results.filter((r) => r.outcome === 'cached')).to.have.length(4);
    });

    it('lets the lease go after recording, so the next refresh is not blocked', async () => {
      const { clock } = makePingService();
      const lease = new MemoryRecordLease(clock);
      const { sut, store, policy } = makePingService({ lease, clock });
      await sut.getPing();
      clock.advance(policy.ttlMs);
      const before = clock.now();
      expect((await sut.getPing()).outcome).to.equal('recorded');
      expect(clock.now()).to.equal(before);
      expect(store.records).to.equal(2);
    });

    it('records itself when the lease holder never writes within the wait', async () => {
      const { clock } = makePingService();
      const stuck: RecordLease = { acquire: async () => null, release: async () => {} };
      const { sut, store } = makePingService({ lease: stuck, clock });
      const started = clock.now();
      const result = await sut.getPing();
      expect(result.outcome).to.equal('recorded');
      expect(store.records).to.equal(1);
      expect(clock.now() - started).to.be.at.least(1_000);
    });

    it('never releases a lease it did not hold, even after waiting out the holder', async () => {
      const { clock } = makePingService();
      const lease = new SpyLease(async () => null);
      const { sut, store, policy } = makePingService({ lease, clock });
      const started = clock.now();
      expect((await sut.getPing()).outcome).to.equal('recorded');
      expect(clock.now() - started, 'the wait ran on the fake clock').to.be.at.least(policy.leaseWaitMs);
      expect(store.records).to.equal(1);
      expect(lease.acquired).to.equal(1);
      expect(lease.released).to.deep.equal([]);
    });

    it('releases a held lease exactly once, with its own token', async () => {
      const lease = new SpyLease(async () => 'token-1');
      const { sut } = makePingService({ lease });
      await sut.getPing();
      expect(lease.released).to.deep.equal([{ key: `${LAST_PING_KEY}:lease`, token: 'token-1' }]);
    });

    it('does not record again when another instance recorded and let the lease go between its miss and its lease', async () => {
      // Instance A records and releases the lease after B read the cache (a miss) but before B
      // asks for the lease: B then takes a free lease, and must find A's entry, not record twice
      // (the 3-instance stampede test met this once in five runs).
      const first = makePingService({ lease: null });
      const { clock, store, sharedCache } = first;
      const memory = new MemoryRecordLease(clock);
      const other = makePingService({ lease: memory, clock, store, sharedCache }).sut;
      const racing: RecordLease = {
        acquire: async (key, ttlMs) => {
          await other.getPing(); // A: records, caches, releases, all before B's lease arrives
          return memory.acquire(key, ttlMs);
        },
        release: (key, token) => memory.release(key, token),
      };
      const { sut } = makePingService({ lease: racing, clock, store, sharedCache });
      const result = await sut.getPing();
      expect(store.records, 'rows recorded').to.equal(1);
      expect(result.outcome).to.equal('cached');
      expect(result.ping.id).to.equal(1);
    });

    it('carries on without a lease when taking it fails', async () => {
      const broken: RecordLease = {
        acquire: async () => {
          throw new Error('redis down');
        },
        release: async () => {},
      };
      const { sut, store } = makePingService({ lease: broken });
      expect((await sut.getPing()).outcome).to.equal('recorded');
      expect(store.records).to.equal(1);
    });
  });
});

/** A lease whose `acquire` answers as told and that records every release. */
class SpyLease implements RecordLease {
  acquired = 0;
  readonly released: Array<{ key: string; token: string }> = [];
  constructor(private readonly answer: () => Promise<string | null>) {}
  acquire(): Promise<string | null> {
    this.acquired++;
    return this.answer();
  }
  async release(key: string, token: string): Promise<void> {
    this.released.push({ key, token });
  }
}

async function expectRejection(promise: Promise<unknown>, type: new (...args: never[]) => Error): Promise<void> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, 'expected a rejection').to.be.instanceOf(type);
}

/** Lets every promise already settled run its callbacks (one turn of the event loop). */
function waitForMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
