import { expect } from 'chai';
import { NOTE_MAX_LENGTH, type Ping } from '../../domain/ping.js';
import type { PingStore } from '../../domain/ping-store.port.js';

export interface StoreFixture {
  readonly store: PingStore;
  close(): Promise<void>;
}

/**
 * What every PingStore adapter promises, so the in-memory store used by the unit tests cannot
 * drift from PostgreSQL. The tests do not assume an empty store: each reasons about the pings it
 * recorded itself.
 */
export function pingStoreContract(name: string, makeStore: () => Promise<StoreFixture>): void {
  describe(`PingStore contract: ${name}`, function () {
    let fixture: StoreFixture | undefined;
    let store: PingStore;

    before(async function () {
      this.timeout(60_000); // a fresh embedded database runs initdb: seconds
      fixture = await makeStore();
      store = fixture.store;
    });

    after(async function () {
      await fixture?.close();
    });

    /** Every ping older than `before`, newest first, page after page of `limit`. */
    async function listAll(before: number, limit: number): Promise<Ping[][]> {
      const pages: Ping[][] = [];
      let cursor = before;
      for (;;) {
        const page = await store.list({ limit, before: cursor });
        if (page.length === 0) return pages;
        pages.push(page);
        cursor = page.at(-1)!.id;
      }
    }

    it('records a ping: a positive safe-integer id, a valid creation time, the note', async function () {
      const ping = await store.record('first');
      expect(Number.isSafeInteger(ping.id) && ping.id > 0, `id ${ping.id}`).to.equal(true);
      expect(ping.createdAt).to.be.instanceOf(Date);
      expect(Number.isNaN(ping.createdAt.getTime())).to.equal(false);
      expect(ping.note).to.equal('first');
    });

    it('records a null note as null', async function () {
      expect((await store.record(null)).note).to.equal(null);
    });

    it('lists a recorded ping exactly as record returned it', async function () {
      const recorded = await store.record('as returned');
      const [listed] = await store.list({ limit: 1, before: recorded.id + 1 });
      expect(listed).to.deep.equal(recorded);
    });

    it('gives each ping a larger id than the one recorded before it', async function () {
      const a = await store.record(null);
      const b = await store.record(null);
      const c = await store.record(null);
      expect(b.id).to.be.greaterThan(a.id);
      expect(c.id).to.be.greaterThan(b.id);
    });

    const notes: Array<[string, string]> = [
      ['accents and ligatures', 'héllo, ça va ? ﬁn'],
      ['CJK and RTL scripts', '世界 こんにちは 안녕 مرحبا שלום'],
      ['emoji, joiners and flags', '👋🏽 👨‍👩‍👧 🇫🇷'],
      ['combining marks', 'e\u0301 a\u0308 Z\u0351\u0362'],
      ['quotes, backslashes and SQL', `'; drop table pings; -- "x" \\ \\0 $1 ?`],
      ['the longest allowed note, in emoji (code points)', '😀'.repeat(NOTE_MAX_LENGTH)],
      ['the longest allowed note', 'x'.repeat(NOTE_MAX_LENGTH)],
      ['a note far over the policy limit (the store does not truncate)', 'long '.repeat(2_000)],
      ['an empty note (not null)', ''],
    ];
    for (const [what, note] of notes) {
      it(`keeps ${what} intact`, async function () {
        const recorded = await store.record(note);
        expect(recorded.note).to.equal(note);
        const [listed] = await store.list({ limit: 1, before: recorded.id + 1 });
        expect(listed?.note).to.equal(note);
      });
    }

    it('lists newest first, at most `limit`, and `before` excludes that id itself', async function () {
      const recorded: Ping[] = [];
      for (let i = 0; i < 5; i++) recorded.push(await store.record(`order ${i}`));
      const newest = await store.list({ limit: 3 });
      expect(newest.map((p) => p.id)).to.deep.equal([recorded[4]!.id, recorded[3]!.id, recorded[2]!.id]);
      const older = await store.list({ limit: 2, before: recorded[2]!.id });
      expect(older.map((p) => p.note)).to.deep.equal(['order 1', 'order 0']);
    });

    it('pages through every ping with no gap and no repeat', async function () {
      const recorded: Ping[] = [];
      for (let i = 0; i < 23; i++) recorded.push(await store.record(`page ${i}`));
      const first = recorded[0]!.id;
      const pages = await listAll(recorded.at(-1)!.id + 1, 4);
      const ids = pages.flat().map((p) => p.id);
      expect(new Set(ids).size, 'no repeat').to.equal(ids.length);
      expect(ids, 'strictly newest first across pages').to.deep.equal([...ids].sort((a, b) => b - a));
      const ours = ids.filter((id) => id >= first);
      expect(ours, 'no gap').to.deep.equal(recorded.map((p) => p.id).reverse());
      for (const page of pages.slice(0, -1)) expect(page).to.have.length(4);
    });

    it('lists nothing before the oldest ping', async function () {
      const pages = await listAll(Number.MAX_SAFE_INTEGER, 100);
      const oldest = pages.flat().at(-1)!;
      expect(await store.list({ limit: 10, before: oldest.id })).to.deep.equal([]);
      expect(await store.list({ limit: 10, before: 1 })).to.deep.equal([]);
    });

    it('records 50 concurrent writers as 50 distinct pings, all listed', async function () {
      const notesWritten = Array.from({ length: 50 }, (_, i) => `concurrent ${i}`);
      const recorded = await Promise.all(notesWritten.map((note) => store.record(note)));
      const ids = recorded.map((p) => p.id);
      expect(new Set(ids).size).to.equal(50);
      const listed = await store.list({ limit: 50, before: Math.max(...ids) + 1 });
      expect(listed.map((p) => p.id).sort((a, b) => a - b)).to.deep.equal([...ids].sort((a, b) => a - b));
      expect(listed.map((p) => p.note).sort()).to.deep.equal([...notesWritten].sort());
    });
  });
}
