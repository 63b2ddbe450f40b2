import { expect } from 'chai';
import { Agent, request } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { waitUntil } from '../../harness/wait-until.js';
import { figures } from '../support/figures.js';
import { ServiceProcess } from '../support/service-process.js';
import { createScratchDatabase, type ScratchDatabase } from '../support/test-servers.js';

/** What one request on a keep-alive connection ended with: a status, or how the connection failed. */
type Outcome = { status: number } | { failure: string };

function send(agent: Agent, url: string, method: 'GET' | 'POST'): Promise<Outcome> {
  return new Promise((resolve) => {
    const body = method === 'POST' ? JSON.stringify({ note: 'drain' }) : undefined;
    const req = request(
      url,
      { method, agent, headers: body ? { 'content-type': 'application/json' } : {}, timeout: 10_000 },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
        res.on('error', (error: NodeJS.ErrnoException) =>
          resolve({ failure: `response ${error.code ?? error.message}` }),
        );
      },
    );
    // `socket hang up` (closed under a sent request) and `read ECONNRESET` (a reset) are both resets
    // to the client; ECONNREFUSED is a clean refusal of a new connection: nothing was sent.
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ failure: `${error.code}: ${error.message}` }));
    req.on('timeout', () => req.destroy(new Error('client timeout')));
    req.end(body);
  });
}

describe('fault injection: zero resets while draining keep-alive connections (real process)', function () {
  this.timeout(120_000);
  let database: ScratchDatabase;

  before(async () => {
    database = await createScratchDatabase('fault_drain');
  });
  after(async () => database?.drop());

  it('SIGTERM under keep-alive POST/GET load that never stops: every request is answered or refused, none reset', async () => {
    const service = await ServiceProcess.start({
      POSTGRES_URI: database.uri,
      SHUTDOWN_DELAY_MS: '1500',
      SHUTDOWN_TIMEOUT_MS: '10000',
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 20 });
    const outcomes: Outcome[] = [];
    let exited = false;
    const exit = service.exitCode.then((code) => {
      exited = true;
      return code;
    });
    // Clients that ignore readiness and keep sending on their pooled connections throughout.
    const answeredBy = Array.from({ length: 20 }, () => 0);
    const worker = async (index: number) => {
      for (let i = 0; !exited; i++) {
        const method = (i + index) % 2 === 0 ? 'POST' : 'GET';
        const outcome = await send(agent, `${service.url}/${method === 'POST' ? 'pings' : 'ping'}`, method);
        outcomes.push(outcome);
        if ('status' in outcome) answeredBy[index]!++;
        // A refused client pauses before it connects again, as clients do; not a wait for a state.
        if ('failure' in outcome && outcome.failure.startsWith('ECONNREFUSED')) await delay(5);
      }
    };
    const load = Promise.all(answeredBy.map((_, i) => worker(i)));
    // SIGTERM once every client is on a kept-alive connection (answered twice), as in production.
    // 10 s: 40 requests take milliseconds; the rest is room for a busy machine.
    await waitUntil(() => answeredBy.every((answered) => answered >= 2), {
      timeoutMs: 10_000,
      what: 'two answers for each of the 20 clients',
    });
    const signalledAt = outcomes.length;
    await service.stop('SIGTERM');
    const code = await exit;
    await load;
    agent.destroy();

    const tally: Record<string, number> = {};
    for (const outcome of outcomes) {
      const key = 'status' in outcome ? String(outcome.status) : outcome.failure;
      tally[key] = (tally[key] ?? 0) + 1;
    }
    figures('drain: %d requests (%d before SIGTERM), exit %d: %j', outcomes.length, signalledAt, code, tally);
    const resets = outcomes.filter((o) => 'failure' in o && !o.failure.startsWith('ECONNREFUSED'));
    expect(resets, 'requests that saw a reset or a close under a sent request').to.deep.equal([]);
    expect(code).to.equal(0);
    expect(outcomes.length - signalledAt, 'answers during the drain').to.be.greaterThan(50);
  });
});
