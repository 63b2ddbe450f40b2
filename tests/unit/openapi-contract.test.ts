import { expect } from 'chai';
import { inject, type InjectOptions } from 'light-my-request';
import { PingUseCases } from '../../application/ping-use-cases.js';
import { Readiness } from '../../application/readiness.js';
import { StoreOverloadedError, StoreUnavailableError } from '../../domain/errors.js';
import type { ContainerOverrides } from '../../infrastructure/composition/container.js';
import { resolve } from '../../infrastructure/composition/tokens.js';
import { SystemClock } from '../../infrastructure/clock/system-clock.js';
import { MemoryPingCache } from '../../infrastructure/memory/memory-ping-cache.js';
import { MemoryPingStore } from '../../infrastructure/memory/memory-ping-store.js';
import { PromMetrics } from '../../infrastructure/metrics/prom-metrics.js';
import { createApp } from '../../interfaces/http/app.js';
import { httpDependencies } from '../../interfaces/startup/http-server.js';
import { FakeClock } from '../support/fake-clock.js';
import { makeHttpHarness } from '../support/http-harness.js';
import {
  contractProblems,
  documentedOperationAnswers,
  isMethod,
  openApi,
  schemaProblems,
  type LiveAnswer,
} from '../support/openapi-contract.js';
import { SpyCache, SpyStore, withMethods } from '../support/test-doubles.js';

type Request = InjectOptions & { method: string; url: string };
const json = { 'content-type': 'application/json' };
const DEFECT = () => Promise.reject(new TypeError('a defect'));
const TOKEN = 'contract-test-token-0123456789';

/**
 * An app of the real composition root, driven in-process; answers keep their raw body. The
 * metrics listener's app for the paths the document serves there (`servers` of their own).
 */
function app(overrides: ContainerOverrides = {}, listener: 'api' | 'metrics' = 'api', env: NodeJS.ProcessEnv = {}) {
  const harness = makeHttpHarness(overrides, env);
  const handler = (listener === 'api' ? harness.app : harness.metricsApp).callback();
  return async (request: Request): Promise<LiveAnswer> => {
    const response = await inject(handler, request);
    return { status: response.statusCode, headers: response.headers, text: response.payload };
  };
}

const failingStore = (error: Error = new StoreUnavailableError('connect ECONNREFUSED')) => {
  const store = new SpyStore(new MemoryPingStore(new SystemClock()));
  // By default what the adapter raises once it has classified a refused connection as an outage.
  store.failWith = error;
  return store;
};

interface Case {
  readonly request: Request;
  readonly status: number;
  readonly title: string;
  readonly run?: () => Promise<LiveAnswer>;
  /** What the live answer must also show, beyond the document. */
  readonly check?: (answer: LiveAnswer) => void;
}

const errorCode = (answer: LiveAnswer) => JSON.parse(answer.text).error.code as string;
const hasCode = (code: string) => (answer: LiveAnswer) => expect(errorCode(answer)).to.equal(code);
const xCache = (value: string) => (answer: LiveAnswer) => expect(answer.headers['x-cache']).to.equal(value);
const post = (payload: unknown, headers: Record<string, string> = json): Request => ({
  method: 'POST',
  url: '/pings',
  headers,
  payload: payload as string,
});
const get = (url: string): Request => ({ method: 'GET', url });

const CASES: Case[] = [
  // GET /ping
  { request: get('/ping'), status: 200, title: 'MISS', check: xCache('MISS') },
  {
    request: get('/ping'),
    status: 200,
    title: 'HIT',
    run: async () => {
      const call = app();
      await call(get('/ping'));
      return call(get('/ping'));
    },
    check: xCache('HIT'),
  },
  {
    request: get('/ping'),
    status: 200,
    title: 'STALE: the store fails past the TTL, within the grace',
    run: async () => {
      const clock = new FakeClock();
      const store = new SpyStore(new MemoryPingStore(clock));
      const call = app({ Clock: clock, RawPingStore: store });
      await call(get('/ping'));
      // What the adapter raises once it has classified a refused connection as an outage.
      store.failWith = new StoreUnavailableError('connect ECONNREFUSED');
      clock.advance(61_000);
      return call(get('/ping'));
    },
    check: xCache('STALE'),
  },
  {
    request: get('/ping'),
    status: 200,
    title: 'BYPASS: Redis unusable',
    run: () => {
      const cache = new SpyCache(new MemoryPingCache(new SystemClock()));
      cache.failWith = new Error('ECONNRESET');
      return app({ SharedPingCache: cache })(get('/ping'));
    },
    check: xCache('BYPASS'),
  },
  {
    request: get('/ping'),
    status: 503,
    title: 'the store is down and nothing is cached',
    run: () => app({ RawPingStore: failingStore() })(get('/ping')),
    check: hasCode('store_unavailable'),
  },
  {
    request: get('/ping'),
    status: 500,
    title: 'a defect',
    run: () => app({ PingUseCases: withMethods(PingUseCases, { getLastPing: DEFECT }) })(get('/ping')),
  },
  // POST /pings
  { request: post('{"note":"hi"}'), status: 201, title: 'a note' },
  { request: { method: 'POST', url: '/pings' }, status: 201, title: 'no body' },
  { request: post('{"note":null}'), status: 201, title: 'a null note' },
  { request: post('{bad'), status: 400, title: 'not JSON', check: hasCode('bad_request') },
  { request: post('[1]'), status: 400, title: 'not an object', check: hasCode('bad_request') },
  { request: post('{"note":42}'), status: 400, title: 'a number as note', check: hasCode('invalid_input') },
  { request: post('{"nope":1}'), status: 400, title: 'an unknown field', check: hasCode('invalid_input') },
  {
    request: post(JSON.stringify({ note: 'x'.repeat(281) })),
    status: 400,
    title: '281 code points',
    check: hasCode('invalid_input'),
  },
  { request: post('{"note":"a\\u0000b"}'), status: 400, title: 'a NUL', check: hasCode('invalid_input') },
  {
    request: post(JSON.stringify({ note: 'x'.repeat(20_000) })),
    status: 413,
    title: 'a 20 kB body',
    check: hasCode('payload_too_large'),
  },
  {
    request: post('note=hi', { 'content-type': 'application/x-www-form-urlencoded' }),
    status: 415,
    title: 'a form',
    check: hasCode('unsupported_media_type'),
  },
  {
    request: post('{"note":"x"}', { 'content-type': 'application/json; charset=utf-16' }),
    status: 415,
    title: 'a charset other than UTF-8',
    check: hasCode('unsupported_media_type'),
  },
  {
    request: post('{"note":"x"}', { 'content-type': 'application/json', 'content-encoding': 'bogus' }),
    status: 415,
    title: 'an unsupported Content-Encoding',
    check: hasCode('unsupported_media_type'),
  },
  {
    request: post(Buffer.from('{"note":"\xff"}', 'latin1')),
    status: 400,
    title: 'invalid UTF-8',
    check: hasCode('bad_request'),
  },
  {
    request: post(JSON.stringify({ note: '😀'.repeat(280) })),
    status: 201,
    title: '280 code points outside the BMP (560 UTF-16 units)',
  },
  {
    request: post('{}'),
    status: 503,
    title: 'the store is down',
    run: () => app({ RawPingStore: failingStore() })(post('{}')),
    check: hasCode('store_unavailable'),
  },
  {
    request: post('{}'),
    status: 503,
    title: 'the store is saturated',
    run: () => app({ RawPingStore: failingStore(new StoreOverloadedError('the store is saturated')) })(post('{}')),
    check: (answer) => {
      hasCode('overloaded')(answer);
      expect(answer.headers['retry-after']).to.equal('1');
    },
  },
  {
    request: post('{}'),
    status: 500,
    title: 'a defect',
    run: () => app({ PingUseCases: withMethods(PingUseCases, { recordPing: DEFECT }) })(post('{}')),
  },
  // POST /pings: the token and the limit
  {
    request: post('{}', { ...json, authorization: `Bearer ${TOKEN}` }),
    status: 201,
    title: 'with WRITE_TOKENS, an accepted token',
    run: () => app({}, 'api', { WRITE_TOKENS: TOKEN })(post('{}', { ...json, authorization: `Bearer ${TOKEN}` })),
    check: (answer) => {
      expect(answer.headers['ratelimit-policy']).to.equal('"writes";q=60;w=60');
      expect(answer.headers['ratelimit']).to.equal('"writes";r=59;t=60');
    },
  },
  {
    request: post('{}'),
    status: 401,
    title: 'with WRITE_TOKENS, no token',
    run: () => app({}, 'api', { WRITE_TOKENS: TOKEN })(post('{}')),
    check: (answer) => {
      expect(answer.headers['www-authenticate']).to.equal('Bearer realm="ping-service"');
      hasCode('missing_token')(answer);
    },
  },
  {
    request: post('{}'),
    status: 401,
    title: 'with WRITE_TOKENS, a wrong token',
    run: () => app({}, 'api', { WRITE_TOKENS: TOKEN })(post('{}', { ...json, authorization: `Bearer x${TOKEN}` })),
    check: (answer) => {
      expect(answer.headers['www-authenticate']).to.equal('Bearer realm="ping-service", error="invalid_token"');
      hasCode('invalid_token')(answer);
    },
  },
  {
    request: post('{}'),
    status: 429,
    title: 'past the per-client limit',
    run: async () => {
      const call = app({}, 'api', { WRITE_RATE_LIMIT_PER_MINUTE: '1' });
      expect((await call(post('{}'))).status).to.equal(201);
      return call(post('{}'));
    },
    check: (answer) => {
      hasCode('rate_limited')(answer);
      expect(Number(answer.headers['retry-after'])).to.be.within(1, 60);
      expect(answer.headers['ratelimit']).to.match(/^"writes";r=0;t=\d+$/);
    },
  },
  // GET /pings
  {
    request: get('/pings?limit=1'),
    status: 200,
    title: 'a page with a next page',
    run: async () => {
      const call = app();
      for (let i = 0; i < 2; i++) await call(post('{"note":"x"}'));
      return call(get('/pings?limit=1'));
    },
    check: (answer) => expect(JSON.parse(answer.text).nextBefore).to.equal(2),
  },
  { request: get('/pings'), status: 200, title: 'no pings yet' },
  { request: get('/pings?limit=0'), status: 400, title: 'limit 0', check: hasCode('invalid_input') },
  { request: get('/pings?limit=101'), status: 400, title: 'limit 101', check: hasCode('invalid_input') },
  { request: get('/pings?before=x'), status: 400, title: 'before not a number', check: hasCode('invalid_input') },
  {
    request: get('/pings'),
    status: 503,
    title: 'the store is down',
    run: () => app({ RawPingStore: failingStore() })(get('/pings')),
    check: hasCode('store_unavailable'),
  },
  {
    request: get('/pings'),
    status: 500,
    title: 'a defect',
    run: () => app({ PingUseCases: withMethods(PingUseCases, { listPings: DEFECT }) })(get('/pings')),
  },
  // Probes, metrics, this document
  { request: get('/healthz'), status: 200, title: 'alive' },
  { request: get('/readyz'), status: 200, title: 'ready' },
  {
    request: get('/readyz'),
    status: 200,
    title: 'ready while the store fails its check (shown in the body)',
    run: () => app({ RawPingStore: failingStore() })(get('/readyz')),
    check: (answer) => expect(JSON.parse(answer.text).checks.store.status).to.equal('down'),
  },
  {
    request: get('/readyz'),
    status: 200,
    title: 'ready with the Redis master named (Sentinel mode)',
    run: () =>
      app({
        ReadinessChecks: [
          { name: 'store', check: async () => {} },
          { name: 'cache', check: async () => '10.0.3.7:6379' },
        ],
      })(get('/readyz')),
    check: (answer) => expect(JSON.parse(answer.text).checks.cache.target).to.equal('10.0.3.7:6379'),
  },
  {
    request: get('/readyz'),
    status: 503,
    title: 'draining',
    run: async () => {
      const harness = makeHttpHarness();
      resolve(harness.container, 'Readiness').startDraining();
      const response = await inject(harness.app.callback(), get('/readyz'));
      return { status: response.statusCode, headers: response.headers, text: response.payload };
    },
    check: (answer) => expect(JSON.parse(answer.text).status).to.equal('shutting_down'),
  },
  {
    request: get('/readyz'),
    status: 500,
    title: 'a defect',
    run: () => app({ Readiness: withMethods(Readiness, { report: DEFECT }) })(get('/readyz')),
  },
  {
    request: get('/metrics'),
    status: 200,
    title: 'the scrape, on the metrics listener',
    run: () => app({}, 'metrics')(get('/metrics')),
  },
  {
    request: get('/metrics'),
    status: 500,
    title: 'a defect',
    run: () => {
      const metrics = new PromMetrics();
      metrics.render = DEFECT;
      return app({ Metrics: metrics }, 'metrics')(get('/metrics'));
    },
  },
  { request: get('/openapi.json'), status: 200, title: 'this document' },
  {
    request: get('/openapi.json'),
    status: 503,
    title: 'shed: the process is overloaded',
    run: async () => {
      const harness = makeHttpHarness();
      const app = createApp(httpDependencies(harness.container, { load: { overloaded: () => 'event_loop_delay' } }));
      const response = await inject(app.callback(), get('/openapi.json'));
      return { status: response.statusCode, headers: response.headers, text: response.payload };
    },
    check: hasCode('overloaded'),
  },
  // Answers of no operation
  { request: get('/nowhere'), status: 404, title: 'an unknown path', check: hasCode('not_found') },
  {
    request: { method: 'DELETE', url: '/ping' },
    status: 405,
    title: 'a known path, another method',
    check: (answer) => expect(answer.headers.allow).to.equal('GET, HEAD, OPTIONS'),
  },
  { request: { method: 'PUT', url: '/pings' }, status: 405, title: 'PUT /pings', check: hasCode('method_not_allowed') },
  {
    request: { method: 'PROPFIND', url: '/ping' },
    status: 405,
    title: 'a non-standard method on a known path',
    check: hasCode('method_not_allowed'),
  },
  {
    request: { method: 'PROPFIND', url: '/nowhere' },
    status: 501,
    title: 'a non-standard method on an unknown path',
    check: hasCode('not_implemented'),
  },
];

const pathOf = (url: string) => url.split('?')[0]!;

describe('the OpenAPI document against the live answers (in-process)', () => {
  const exercised = new Set<string>();

  for (const c of CASES) {
    const name = `${c.request.method} ${c.request.url} -> ${c.status}: ${c.title}`;
    it(name, async () => {
      const answer = await (c.run ?? (() => app()(c.request)))();
      expect(answer.status, answer.text).to.equal(c.status);
      expect(contractProblems(c.request.method, pathOf(c.request.url), answer)).to.deep.equal([]);
      c.check?.(answer);
      exercised.add(`${c.request.method} ${pathOf(c.request.url)} ${c.status}`);
    });
  }

  it('exercised every answer that the document gives an operation', () => {
    const missing = documentedOperationAnswers().filter((pair) => !exercised.has(pair));
    expect(missing).to.deep.equal([]);
  });

  it("describes every route of the two listeners' routers, and no other", () => {
    const { app: api, metricsApp } = makeHttpHarness();
    const routes = [api, metricsApp].flatMap((koa) => {
      type Routed = { router?: { stack: Array<{ path: string; methods: string[] }> } };
      const router = (koa.middleware as Routed[]).find((middleware) => middleware.router)!.router!;
      return router.stack.flatMap((layer) =>
        layer.methods.filter((method) => method !== 'HEAD').map((method) => `${method} ${layer.path}`),
      );
    });
    const documented = Object.entries(openApi.paths as Record<string, object>).flatMap(([path, item]) =>
      Object.keys(item)
        .filter(isMethod)
        .map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).to.deep.equal(routes.sort());
  });

  it('serves the document itself at GET /openapi.json', async () => {
    const answer = await app()(get('/openapi.json'));
    expect(JSON.parse(answer.text)).to.deep.equal(openApi);
    expect(openApi.openapi).to.match(/^3\.1\./);
  });

  it('catches an answer that drifts from the document (so the checks above can fail)', () => {
    const drifted: LiveAnswer = {
      status: 200,
      headers: { 'content-type': 'application/json', 'x-request-id': 'a', 'cache-control': 'no-store' },
      text: JSON.stringify({ message: 'Ping received and processed.', source: 'redis', ping: { id: 1, note: null } }),
    };
    const problems = contractProblems('GET', '/ping', drifted).join('\n');
    expect(problems).to.include('header X-Cache is missing');
    expect(problems).to.include('/source must be equal to one of the allowed values');
    expect(problems).to.include("must have required property 'createdAt'");
    expect(contractProblems('GET', '/ping', { ...drifted, status: 418 })).to.have.length(1);
  });

  it('accepts the request bodies that the service accepts, and no others', async () => {
    const bodies = [
      {},
      { note: 'hi' },
      { note: null },
      { note: 'x'.repeat(280) },
      { note: 'x'.repeat(281) },
      { note: 42 },
      { extra: 1 },
      { note: 'a\u0000b' },
      [],
      'text',
    ];
    for (const body of bodies) {
      const documentedValid = schemaProblems('/components/schemas/NewPing', body).length === 0;
      const answer = await app()(post(JSON.stringify(body)));
      expect(answer.status, JSON.stringify(body)).to.equal(documentedValid ? 201 : 400);
    }
  });

  it('accepts the query strings that the service accepts, and no others', async () => {
    const parameters = openApi.paths['/pings'].get.parameters as Array<{ name: string }>;
    const at = (name: string) => `/paths/~1pings/get/parameters/${parameters.findIndex((p) => p.name === name)}/schema`;
    for (const [name, value] of [
      ['limit', '1'],
      ['limit', '100'],
      ['limit', '0'],
      ['limit', '101'],
      ['limit', 'ten'],
      ['limit', '2.5'],
      ['before', '1'],
      ['before', '0'],
      ['before', '9007199254740991'],
      ['before', '9007199254740992'],
    ] as const) {
      const asNumber = /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
      const documentedValid = schemaProblems(at(name), asNumber).length === 0;
      const answer = await app()(get(`/pings?${name}=${value}`));
      expect(answer.status, `${name}=${value}`).to.equal(documentedValid ? 200 : 400);
    }
  });
});
