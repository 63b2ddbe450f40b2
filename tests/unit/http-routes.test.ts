import { expect } from 'chai';
import { PingUseCases } from '../../application/ping-use-cases.js';
import { resolve } from '../../infrastructure/composition/tokens.js';
import { StoreUnavailableError } from '../../domain/errors.js';
import type { PingStore } from '../../domain/ping-store.port.js';
import { MemoryPingStore } from '../../infrastructure/memory/memory-ping-store.js';
import { SystemClock } from '../../infrastructure/clock/system-clock.js';
import { makeHttpHarness } from '../support/http-harness.js';
import { RecordingReporter, SpyStore, withMethods } from '../support/test-doubles.js';

const json = { 'content-type': 'application/json' };

describe('HTTP routes (in-process, app.callback())', () => {
  describe('GET /ping', () => {
    it('answers MISS then HIT with the contract body', async () => {
      const { request } = makeHttpHarness();
      const first = await request({ method: 'GET', url: '/ping' });
      expect(first.status).to.equal(200);
      expect(first.headers['x-cache']).to.equal('MISS');
      expect(first.body).to.deep.include({ message: 'Ping received and processed.', source: 'database' });
      expect(first.body.ping).to.include({ id: 1, note: null });
      expect(new Date(first.body.ping.createdAt).toISOString()).to.equal(first.body.ping.createdAt);
      const second = await request({ method: 'GET', url: '/ping' });
      expect(second.headers['x-cache']).to.equal('HIT');
      expect(second.body).to.deep.equal({ ...first.body, source: 'cache' });
    });

    it('answers 503 store_unavailable, fast, when the store fails and nothing is cached', async () => {
      const store = new SpyStore(new MemoryPingStore(new SystemClock()));
      store.failWith = new StoreUnavailableError('ECONNREFUSED');
      const { request } = makeHttpHarness({ RawPingStore: store });
      const answer = await request({ method: 'GET', url: '/ping' });
      expect(answer.status).to.equal(503);
      expect(answer.body).to.deep.equal({
        error: { code: 'store_unavailable', message: 'the ping store is unavailable, retry shortly' },
      });
    });

    it('answers 500 internal without a stack, and reports it, on an unexpected error', async () => {
      const reporter = new RecordingReporter();
      const broken = withMethods(PingUseCases, { getLastPing: () => Promise.reject(new TypeError('boom at line 3')) });
      const { request } = makeHttpHarness({ PingUseCases: broken, ErrorReporter: reporter });
      const answer = await request({ method: 'GET', url: '/ping' });
      expect(answer.status).to.equal(500);
      expect(answer.body).to.deep.equal({ error: { code: 'internal', message: 'internal error' } });
      expect(JSON.stringify(answer.body)).to.not.include('boom');
      expect(reporter.reports).to.have.length(1);
      expect(reporter.reports[0]!.context).to.include({ route: '/ping', method: 'GET' });
    });
  });

  describe('POST /pings', () => {
    it('answers 201 with the ping, and GET /ping then returns it as a HIT', async () => {
      const { request } = makeHttpHarness();
      const created = await request({ method: 'POST', url: '/pings', headers: json, payload: { note: 'hi' } });
      expect(created.status).to.equal(201);
      expect(created.body.ping).to.include({ id: 1, note: 'hi' });
      const last = await request({ method: 'GET', url: '/ping' });
      expect(last.headers['x-cache']).to.equal('HIT');
      expect(last.body.ping).to.deep.equal(created.body.ping);
    });

    it('accepts no body at all, and a null note', async () => {
      const { request } = makeHttpHarness();
      expect((await request({ method: 'POST', url: '/pings' })).status).to.equal(201);
      const nulled = await request({ method: 'POST', url: '/pings', headers: json, payload: { note: null } });
      expect(nulled.status).to.equal(201);
      expect(nulled.body.ping.note).to.equal(null);
    });

    it('keeps unicode notes intact', async () => {
      const { request } = makeHttpHarness();
      const note = 'héllo 👋 世界';
      const created = await request({ method: 'POST', url: '/pings', headers: json, payload: { note } });
      expect(created.body.ping.note).to.equal(note);
    });

    const badBodies: Array<[string, string, RegExp]> = [
      ['malformed JSON', '{"note": ', /not valid JSON/],
      ['a JSON array', '[1,2]', /JSON object/],
      ['a note that is a number', '{"note": 42}', /^note must be a string or null$/],
      ['a note of 281 characters', JSON.stringify({ note: 'x'.repeat(281) }), /at most 280/],
      ['an unknown field', '{"note":"a","colour":"red"}', /unknown field\(s\): colour/],
    ];
    for (const [what, payload, message] of badBodies) {
      it(`answers 400 with what was wrong for ${what}, and records nothing`, async () => {
        const { request } = makeHttpHarness();
        const answer = await request({ method: 'POST', url: '/pings', headers: json, payload });
        expect(answer.status).to.equal(400);
        expect(answer.body.error.code).to.be.oneOf(['invalid_input', 'bad_request']);
        expect(answer.body.error.message).to.match(message);
        const list = await request({ method: 'GET', url: '/pings' });
        expect(list.body.items).to.deep.equal([]);
      });
    }

    it('answers 415 for a body that is not JSON', async () => {
      const { request } = makeHttpHarness();
      const answer = await request({
        method: 'POST',
        url: '/pings',
        headers: { 'content-type': 'text/plain' },
        payload: 'note=hi',
      });
      expect(answer.status).to.equal(415);
      expect(answer.body.error.code).to.equal('unsupported_media_type');
    });

    it('answers 413 for a body over the limit', async () => {
      const { request } = makeHttpHarness();
      const payload = JSON.stringify({ note: 'x'.repeat(20_000) });
      const answer = await request({ method: 'POST', url: '/pings', headers: json, payload });
      expect(answer.status).to.equal(413);
      expect(answer.body.error.code).to.equal('payload_too_large');
    });

    it('answers 503 and acknowledges nothing when the store fails', async () => {
      const store: PingStore = {
        record: () => Promise.reject(new StoreUnavailableError('timeout')),
        list: () => Promise.resolve([]),
      };
      const { request } = makeHttpHarness({ RawPingStore: store });
      const answer = await request({ method: 'POST', url: '/pings', headers: json, payload: { note: 'x' } });
      expect(answer.status).to.equal(503);
      expect(answer.body.error.code).to.equal('store_unavailable');
    });
  });

  describe('GET /pings', () => {
    it('lists newest first with nextBefore, and pages with before', async () => {
      const { request } = makeHttpHarness();
      for (let i = 0; i < 3; i++)
        await request({ method: 'POST', url: '/pings', headers: json, payload: { note: `n${i}` } });
      const page = await request({ method: 'GET', url: '/pings?limit=2' });
      expect(page.status).to.equal(200);
      expect(page.body.items.map((p: { id: number }) => p.id)).to.deep.equal([3, 2]);
      expect(page.body.nextBefore).to.equal(2);
      const rest = await request({ method: 'GET', url: '/pings?limit=2&before=2' });
      expect(rest.body).to.deep.include({ nextBefore: null });
      expect(rest.body.items.map((p: { note: string }) => p.note)).to.deep.equal(['n0']);
    });

    for (const query of [
      'limit=0',
      'limit=101',
      'limit=abc',
      'limit=1.5',
      'before=-1',
      'before=0',
      'limit=1&limit=2',
    ]) {
      it(`answers 400 for ${query}`, async () => {
        const { request } = makeHttpHarness();
        const answer = await request({ method: 'GET', url: `/pings?${query}` });
        expect(answer.status).to.equal(400);
        expect(answer.body.error.code).to.equal('invalid_input');
        expect(answer.body.error.message).to.match(/limit|before/);
      });
    }
  });

  describe('unknown routes and methods', () => {
    it('answers 404 in the JSON error shape', async () => {
      const { request } = makeHttpHarness();
      const answer = await request({ method: 'GET', url: '/nope' });
      expect(answer.status).to.equal(404);
      expect(answer.body).to.deep.equal({ error: { code: 'not_found', message: 'no route for GET /nope' } });
    });

    it('answers 405 with Allow for a known path and a wrong method', async () => {
      const { request } = makeHttpHarness();
      const answer = await request({ method: 'DELETE', url: '/ping' });
      expect(answer.status).to.equal(405);
      expect(answer.body.error.code).to.equal('method_not_allowed');
      expect(String(answer.headers['allow'])).to.include('GET');
    });
  });

  describe('probes', () => {
    it('/healthz answers 200 without looking at dependencies', async () => {
      const store: PingStore = {
        record: () => Promise.reject(new Error('x')),
        list: () => Promise.reject(new Error('x')),
      };
      const { request } = makeHttpHarness({ RawPingStore: store });
      const answer = await request({ method: 'GET', url: '/healthz' });
      expect(answer.status).to.equal(200);
      expect(answer.body).to.deep.equal({ status: 'ok' });
    });

    it('/readyz answers 200 with each check while the store answers', async () => {
      const { request } = makeHttpHarness();
      const answer = await request({ method: 'GET', url: '/readyz' });
      expect(answer.status).to.equal(200);
      expect(answer.body.status).to.equal('ready');
      expect(answer.body.checks.store.status).to.equal('up');
      expect(answer.body.checks.cache.status).to.equal('up');
    });

    it('/readyz answers 503 shutting_down once draining starts', async () => {
      const { request, container } = makeHttpHarness();
      resolve(container, 'Readiness').startDraining();
      const answer = await request({ method: 'GET', url: '/readyz' });
      expect(answer.status).to.equal(503);
      expect(answer.body.status).to.equal('shutting_down');
    });

    it('keeps connections open while only readiness is 503, and closes each after its answer once the listener closes', async () => {
      const { request, container, deps } = makeHttpHarness();
      resolve(container, 'Readiness').startDraining();
      expect((await request({ method: 'GET', url: '/ping' })).headers['connection']).to.not.equal('close');
      deps.connections!.closing = true;
      for (const url of ['/ping', '/readyz', '/nope']) {
        expect((await request({ method: 'GET', url })).headers['connection'], url).to.equal('close');
      }
    });
  });
});
