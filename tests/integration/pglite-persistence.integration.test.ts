import { expect } from 'chai';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeHttpHarness } from '../support/http-harness.js';

const json = { 'content-type': 'application/json' };

describe('the embedded PGlite store (no POSTGRES_URI)', function () {
  // A fresh embedded database runs initdb in WebAssembly: seconds, more on a busy machine.
  this.timeout(60_000);
  let dataDir: string;

  before(function () {
    dataDir = mkdtempSync(join(tmpdir(), 'ping-service-data-'));
  });

  after(function () {
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** The service as `npm start` with no environment but DATA_DIR builds it. */
  async function start() {
    const harness = makeHttpHarness({}, { DATA_DIR: dataDir }, { backends: 'configured' });
    await harness.start();
    return harness;
  }

  it('keeps pings across a restart, in DATA_DIR/pglite', async function () {
    const first = await start();
    const created = await first.request({ method: 'POST', url: '/pings', headers: json, payload: { note: 'kept' } });
    expect(created.status).to.equal(201);
    const miss = await first.request({ method: 'GET', url: '/ping' });
    expect(miss.headers['x-cache']).to.equal('HIT');
    await first.close();
    expect(existsSync(join(dataDir, 'pglite', 'PG_VERSION')), 'the database files are in DATA_DIR/pglite').to.equal(
      true,
    );

    const second = await start();
    try {
      const listed = await second.request({ method: 'GET', url: '/pings' });
      expect(listed.body.items).to.deep.equal([created.body.ping]);
      // The in-process cache did not survive, the rows did: this MISS records the next id.
      const next = await second.request({ method: 'GET', url: '/ping' });
      expect(next.headers['x-cache']).to.equal('MISS');
      expect(next.body.ping.id).to.equal(created.body.ping.id + 1);
    } finally {
      await second.close();
    }
  });
});
