import { expect } from 'chai';
import type { CachedPing } from '../../domain/ping-cache.port.js';
import { PingCacheTiers } from '../../domain/ping-cache-tiers.js';
import { MemoryPingCache } from '../../infrastructure/memory/memory-ping-cache.js';
import { FakeClock } from '../support/fake-clock.js';
import { RecordingMonitor, SpyCache } from '../support/test-doubles.js';

const KEY = 'k';

function makeSut() {
  const clock = new FakeClock();
  const shared = new SpyCache(new MemoryPingCache(clock));
  const local = new SpyCache(new MemoryPingCache(clock));
  const monitor = new RecordingMonitor();
  const sut = new PingCacheTiers(shared, local, KEY, monitor);
  const entry = (id: number): CachedPing => ({
    ping: { id, createdAt: new Date(0), note: null },
    freshUntil: clock.now() + 1,
  });
  return { sut, clock, shared, local, monitor, entry };
}

describe('PingCacheTiers: the shared cache with a local fallback', () => {
  it('reads the shared tier when it answers, and tells the monitor it is up', async () => {
    const { sut, shared, local, monitor, entry } = makeSut();
    await shared.set(KEY, entry(1), 1_000);
    await local.set(KEY, entry(2), 1_000);
    expect(await sut.read()).to.deep.equal({ entry: entry(1), sharedUsable: true });
    expect(local.gets).to.equal(0);
    expect(monitor.events).to.deep.equal([{ dependency: 'cache', ok: true }]);
  });

  it("reads this process's tier when the shared one fails, and reports the failure", async () => {
    const { sut, shared, local, monitor, entry } = makeSut();
    await local.set(KEY, entry(2), 1_000);
    shared.failWith = new Error('redis down');
    expect(await sut.read()).to.deep.equal({ entry: entry(2), sharedUsable: false });
    expect(monitor.failures('cache')).to.equal(1);
  });

  it('writes both tiers for keepMs and says the shared tier took it', async () => {
    const { sut, shared, local, clock, monitor, entry } = makeSut();
    expect(await sut.write(entry(1), 500)).to.equal(true);
    expect(await shared.get(KEY)).to.deep.equal(entry(1));
    expect(await local.get(KEY)).to.deep.equal(entry(1));
    clock.advance(500);
    expect(await shared.get(KEY)).to.equal(null);
    expect(await local.get(KEY)).to.equal(null);
    expect(monitor.events).to.deep.equal([{ dependency: 'cache', ok: true }]);
  });

  it('keeps the entry locally and answers false, without throwing, when the shared tier fails', async () => {
    const { sut, shared, local, monitor, entry } = makeSut();
    shared.failWith = new Error('redis down');
    expect(await sut.write(entry(1), 500)).to.equal(false);
    expect(await local.get(KEY)).to.deep.equal(entry(1));
    expect(monitor.failures('cache')).to.equal(1);
  });

  it('reads the shared tier alone, failures thrown, for a caller waiting on another instance', async () => {
    const { sut, shared, local, monitor, entry } = makeSut();
    await local.set(KEY, entry(2), 1_000);
    expect(await sut.readShared()).to.equal(null);
    shared.failWith = new Error('redis down');
    const failure = await sut.readShared().catch((error: unknown) => error);
    expect(failure).to.equal(shared.failWith);
    expect(monitor.events).to.deep.equal([]);
  });
});
