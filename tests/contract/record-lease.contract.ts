import { expect } from 'chai';
import type { RecordLease } from '../../domain/record-lease.port.js';

export interface LeaseFixture {
  readonly lease: RecordLease;
  /** Lets `ms` pass as the lease sees it: a fake clock's advance, or real time for Redis. */
  elapse(ms: number): Promise<void>;
  close(): Promise<void>;
}

let serial = 0;
const freshKey = () => `contract-lease-${++serial}`;

/** What every RecordLease adapter promises: one holder at a time, only the holder releases. */
export function recordLeaseContract(name: string, makeLease: () => Promise<LeaseFixture>): void {
  describe(`RecordLease contract: ${name}`, function () {
    let fixture: LeaseFixture | undefined;
    let lease: RecordLease;

    before(async function () {
      fixture = await makeLease();
      lease = fixture.lease;
    });

    after(async function () {
      await fixture?.close();
    });

    it('grants a free lease with a token, and refuses it while held', async function () {
      const key = freshKey();
      const token = await lease.acquire(key, 10_000);
      expect(token).to.be.a('string').and.not.equal('');
      expect(await lease.acquire(key, 10_000)).to.equal(null);
    });

    it('is free again once its holder releases it, with a new token', async function () {
      const key = freshKey();
      const first = await lease.acquire(key, 10_000);
      await lease.release(key, first!);
      const second = await lease.acquire(key, 10_000);
      expect(second).to.be.a('string').and.not.equal(first);
    });

    it('ignores a release with a token that does not hold it', async function () {
      const key = freshKey();
      await lease.acquire(key, 10_000);
      await lease.release(key, 'not-the-owner');
      expect(await lease.acquire(key, 10_000)).to.equal(null);
    });

    it('expires by itself when not released', async function () {
      const key = freshKey();
      await lease.acquire(key, 200);
      await fixture!.elapse(600);
      expect(await lease.acquire(key, 10_000)).to.be.a('string');
    });

    it('does not let a late holder release the lease that the next holder took after expiry', async function () {
      const key = freshKey();
      const late = await lease.acquire(key, 200);
      await fixture!.elapse(600);
      const next = await lease.acquire(key, 10_000);
      expect(next).to.be.a('string');
      await lease.release(key, late!);
      expect(await lease.acquire(key, 10_000), 'still held by the next holder').to.equal(null);
    });

    it('grants exactly one of 20 concurrent acquires', async function () {
      const key = freshKey();
      const tokens = await Promise.all(Array.from({ length: 20 }, () => lease.acquire(key, 10_000)));
      expect(tokens.filter((t) => t !== null)).to.have.length(1);
    });

    it('keeps leases on different keys apart', async function () {
      const [a, b] = [freshKey(), freshKey()];
      expect(await lease.acquire(a, 10_000)).to.be.a('string');
      expect(await lease.acquire(b, 10_000)).to.be.a('string');
    });
  });
}
