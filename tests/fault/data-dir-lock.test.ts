import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { freePort } from '../../harness/free-port.js';
import { ServiceProcess } from '../support/service-process.js';

/**
 * The embedded store serves one process per DATA_DIR: two processes on one directory handed out
 * the same ids and lost acknowledged writes. Real processes, real signals.
 */
describe('the embedded store locks its DATA_DIR (real processes)', function () {
  // Each start of the embedded engine takes seconds (initdb in WebAssembly on the first).
  this.timeout(300_000);
  let dataDir: string;
  const running: ServiceProcess[] = [];

  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'ping-lock-'));
  });

  after(async () => {
    await Promise.all(running.map((service) => service.stop('SIGKILL')));
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(): Promise<ServiceProcess> {
    const service = await ServiceProcess.start({ DATA_DIR: dataDir }, 120_000);
    running.push(service);
    return service;
  }

  async function post(service: ServiceProcess, note: string): Promise<number> {
    const response = await fetch(`${service.url}/pings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ note }),
    });
    expect(response.status).to.equal(201);
    return ((await response.json()) as { ping: { id: number } }).ping.id;
  }

  /** Every id in the store, following the keyset pages. */
  async function listIds(service: ServiceProcess): Promise<number[]> {
    const ids: number[] = [];
    let before: number | null = null;
    do {
      const query: string = before === null ? '' : `&before=${before}`;
      const response = await fetch(`${service.url}/pings?limit=100${query}`);
      const page = (await response.json()) as { items: Array<{ id: number }>; nextBefore: number | null };
      ids.push(...page.items.map((p) => p.id));
      before = page.nextBefore;
    } while (before !== null);
    return ids;
  }

  it('a second process on the same DATA_DIR exits 1 naming DATA_DIR and the holder; the first keeps serving, nothing is lost', async () => {
    const first = await start();
    const acknowledged: number[] = [];
    let writing = true;
    const writer = (async () => {
      while (writing) acknowledged.push(await post(first, 'while a second process tries'));
    })();

    const second = await ServiceProcess.runToExit(
      { DATA_DIR: dataDir, PORT: String(await freePort()) },
      undefined,
      120_000,
    );
    writing = false;
    await writer;

    expect(second.code).to.equal(1);
    const lines = second.stderr.trim().split('\n');
    expect(lines, second.stderr).to.have.length(1);
    expect(lines[0]).to.include('DATA_DIR');
    expect(lines[0]).to.include(dataDir);
    expect(lines[0]).to.include(`pid ${first.pid}`);
    expect(lines[0]).to.include(hostname());
    expect(second.stdout).to.not.match(/listening/);

    acknowledged.push(await post(first, 'after'));
    expect(acknowledged.length).to.be.greaterThan(1);
    expect(await first.stop()).to.equal(0);

    const again = await start();
    const ids = await listIds(again).finally(() => again.stop());
    expect(new Set(acknowledged).size, 'no id handed out twice').to.equal(acknowledged.length);
    expect(ids.slice().sort((a, b) => a - b)).to.deep.equal(acknowledged.slice().sort((a, b) => a - b));
  });

  it('a lock left by a process killed with kill -9 does not block the next start', async () => {
    const killed = await start();
    const id = await post(killed, 'before kill -9');
    expect(await killed.stop('SIGKILL')).to.equal(null);

    // Started at once, with no wait for a stale timeout: the kernel dropped the lock with the process.
    const next = await start();
    expect(await listIds(next)).to.include(id);
    expect(await next.stop()).to.equal(0);
  });
});
