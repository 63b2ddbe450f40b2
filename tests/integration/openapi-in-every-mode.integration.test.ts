import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { inject } from 'light-my-request';
import { freePort } from '../../harness/free-port.js';
import { makeHttpHarness } from '../support/http-harness.js';
import { contractProblems } from '../support/openapi-contract.js';
import { createScratchDatabase, scratchRedisPrefix, testRedisUri } from '../support/test-servers.js';

type Harness = ReturnType<typeof makeHttpHarness>;

/** What each mode is asked, in order: writes and misses first, then the hit, the list and the probes. */
const REQUESTS = [
  { method: 'POST', url: '/pings', payload: '{"note":"in every mode"}' },
  { method: 'GET', url: '/ping' },
  { method: 'GET', url: '/ping' },
  { method: 'GET', url: '/pings?limit=2' },
  { method: 'GET', url: '/readyz' },
  { method: 'GET', url: '/healthz' },
] as const;

/**
 * Asks the service every route and checks every answer against interfaces/http/openapi.json:
 * status, headers and body. Returns what it saw (`METHOD path status X-Cache`), for the test to
 * say which answers the mode gave.
 */
async function answersConform(harness: Harness): Promise<string[]> {
  const seen: string[] = [];
  for (const request of REQUESTS) {
    const headers = 'payload' in request ? { 'content-type': 'application/json' } : {};
    const response = await inject(harness.app.callback(), { ...request, headers });
    const answer = { status: response.statusCode, headers: response.headers, text: response.payload };
    const path = request.url.split('?')[0]!;
    expect(contractProblems(request.method, path, answer), `${request.method} ${request.url}`).to.deep.equal([]);
    seen.push(
      `${request.method} ${path} ${answer.status}${response.headers['x-cache'] ? ` ${response.headers['x-cache']}` : ''}`,
    );
  }
  return seen;
}

/**
 * The contract holds in every mode the service runs in, not only the in-memory one the unit
 * suite uses: the answers differ (a Redis master's address in readiness, BYPASS, STALE, 503s), and
 * each must be one the document describes. Sentinel mode is checked by the failover test
 * (tests/fault/redis-sentinel-failover.test.ts), on its live answers.
 */
describe('the OpenAPI document against the live answers of each mode (real backends)', function () {
  // The embedded store's first start runs initdb in WebAssembly: seconds on a busy machine.
  this.timeout(90_000);
  const harnesses: Harness[] = [];
  const cleanups: Array<() => Promise<void> | void> = [];

  after(async function () {
    for (const harness of harnesses.splice(0)) await harness.close().catch(() => undefined);
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function started(env: NodeJS.ProcessEnv, start = true): Promise<Harness> {
    const harness = makeHttpHarness({}, env, { backends: 'configured' });
    harnesses.push(harness);
    if (start) await harness.start();
    return harness;
  }

  it('the embedded store and the in-process cache (npm start with no servers)', async function () {
    const dataDir = mkdtempSync(join(tmpdir(), 'ping-service-contract-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    expect(await answersConform(await started({ DATA_DIR: dataDir }))).to.include.members([
      'POST /pings 201',
      'GET /ping 200 HIT',
      'GET /readyz 200',
    ]);
  });

  it('PostgreSQL and Redis', async function () {
    const database = await createScratchDatabase('contract_modes');
    const redis = await scratchRedisPrefix('contract-modes');
    cleanups.push(database.drop, redis.clear);
    const env = { POSTGRES_URI: database.uri, REDIS_URI: testRedisUri, REDIS_KEY_PREFIX: redis.prefix };
    expect(await answersConform(await started(env))).to.include.members(['GET /ping 200 HIT', 'GET /readyz 200']);
  });

  it('Redis down: BYPASS answers, the cache down in readiness', async function () {
    const database = await createScratchDatabase('contract_cache_down');
    cleanups.push(database.drop);
    const env = { POSTGRES_URI: database.uri, REDIS_URI: `redis://127.0.0.1:${await freePort()}` };
    expect(await answersConform(await started(env))).to.include.members(['GET /ping 200 BYPASS', 'GET /readyz 200']);
  });

  it('PostgreSQL down: 503 store_unavailable, the store down in readiness', async function () {
    // Not started: its migrations could not run against a server that is not there.
    const env = { POSTGRES_URI: `postgres://postgres@127.0.0.1:${await freePort()}/none` };
    expect(await answersConform(await started(env, false))).to.include.members([
      'POST /pings 503',
      'GET /ping 503',
      'GET /pings 503',
      'GET /readyz 200',
    ]);
  });
});
