import { expect } from 'chai';
import type { CachedPing, PingCache } from '../../domain/ping-cache.port.js';

export interface CacheFixture {
  readonly cache: PingCache;
  /** Lets `ms` pass as the cache sees it: a fake clock's advance, or real time for Redis. */
  elapse(ms: number): Promise<void>;
  close(): Promise<void>;
}

let serial = 0;
/** A key no other test (or run: the fixture's prefix) uses. */
const freshKey = () => `contract-key-${++serial}`;

function entry(id: number, note: string | null = null, freshUntil = Date.parse('2026-03-01T12:00:00Z')): CachedPing {
  return { ping: { id, createdAt: new Date(Date.parse('2026-03-01T11:59:59.123Z') + id), note }, freshUntil };
}

/** What every PingCache adapter promises; the in-memory cache stands in for Redis in unit tests. */
export function pingCacheContract(name: string, makeCache: () => Promise<CacheFixture>): void {
  describe(`PingCache contract: ${name}`, function () {
    let fixture: CacheFixture | undefined;
    let cache: PingCache;

    before(async function () {
      fixture = await makeCache();
      cache = fixture.cache;
    });

    after(async function () {
      await fixture?.close();
    });

    it('misses a key that was never set', async function () {
      expect(await cache.get(freshKey())).to.equal(null);
    });

    it('returns what was set: the ping (createdAt as a Date, to the millisecond) and freshUntil', async function () {
      const key = freshKey();
      const stored = entry(41, 'hello');
      await cache.set(key, stored, 60_000);
      const read = await cache.get(key);
      expect(read).to.deep.equal(stored);
      expect(read!.ping.createdAt).to.be.instanceOf(Date);
    });

    it('keeps a null note, a unicode note and an empty note', async function () {
      for (const note of [null, 'héllo 👋🏽 世界 e\u0301', '']) {
        const key = freshKey();
        await cache.set(key, entry(7, note), 60_000);
        expect((await cache.get(key))?.ping.note).to.equal(note);
      }
    });

    it('overwrites: the last set wins', async function () {
      const key = freshKey();
      await cache.set(key, entry(1, 'old'), 60_000);
      await cache.set(key, entry(2, 'new', Date.parse('2026-03-01T12:05:00Z')), 60_000);
      expect(await cache.get(key)).to.deep.equal(entry(2, 'new', Date.parse('2026-03-01T12:05:00Z')));
    });

    it('keeps keys apart', async function () {
      const [a, b] = [freshKey(), freshKey()];
      await cache.set(a, entry(1), 60_000);
      expect(await cache.get(b)).to.equal(null);
      await cache.set(b, entry(2), 60_000);
      expect((await cache.get(a))?.ping.id).to.equal(1);
      expect((await cache.get(b))?.ping.id).to.equal(2);
    });

    it('forgets an entry once its ttl has passed', async function () {
      const key = freshKey();
      await cache.set(key, entry(3), 200);
      await fixture!.elapse(600);
      expect(await cache.get(key)).to.equal(null);
    });

    it('restarts the ttl on overwrite', async function () {
      const key = freshKey();
      await cache.set(key, entry(4), 1_500);
      await fixture!.elapse(1_000);
      await cache.set(key, entry(5), 1_500);
      await fixture!.elapse(1_000);
      expect((await cache.get(key))?.ping.id, 'still there 1 s into its second ttl').to.equal(5);
    });

    it('keeps the freshness deadline as data, independent of the ttl', async function () {
      const key = freshKey();
      const past = entry(6, null, Date.parse('2000-01-01T00:00:00Z'));
      await cache.set(key, past, 60_000);
      expect(await cache.get(key)).to.deep.equal(past);
    });
  });
}
