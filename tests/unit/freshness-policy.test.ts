import { expect } from 'chai';
import { FreshnessPolicy } from '../../domain/freshness-policy.js';
import type { Ping } from '../../domain/ping.js';

const ping: Ping = { id: 1, createdAt: new Date(0), note: null };
const makeSut = () => new FreshnessPolicy({ ttlMs: 60, staleGraceMs: 300 });

describe('FreshnessPolicy: the cache-aside arithmetic', () => {
  it('counts an entry fresh until its freshUntil, and not at that instant', () => {
    const sut = makeSut();
    const entry = { ping, freshUntil: 1_000 };
    expect(sut.isFresh(entry, 999)).to.equal(true);
    expect(sut.isFresh(entry, 1_000)).to.equal(false);
  });

  it('lets an expired entry stand in for the store for the grace, and not at its end', () => {
    const sut = makeSut();
    const entry = { ping, freshUntil: 1_000 };
    expect(sut.mayServeStale(entry, 1_000)).to.equal(true);
    expect(sut.mayServeStale(entry, 1_299)).to.equal(true);
    expect(sut.mayServeStale(entry, 1_300)).to.equal(false);
  });

  it('makes a new entry fresh for the TTL and kept for TTL + grace', () => {
    expect(makeSut().entryFor(ping, 1_000)).to.deep.equal({ entry: { ping, freshUntil: 1_060 }, keepMs: 360 });
  });

  it('keeps a new entry exactly as long as it may be served stale', () => {
    const sut = makeSut();
    const { entry, keepMs } = sut.entryFor(ping, 1_000);
    expect(sut.mayServeStale(entry, 1_000 + keepMs - 1)).to.equal(true);
    expect(sut.mayServeStale(entry, 1_000 + keepMs)).to.equal(false);
  });
});
