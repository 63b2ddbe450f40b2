import { expect } from 'chai';
import { FakeOtlpCollector, type CollectedSpan } from '../../harness/fake-otlp-collector.js';
import { FaultProxy } from '../../harness/fault-proxy.js';
import { contractProblems } from '../support/openapi-contract.js';
import { ServiceProcess } from '../support/service-process.js';
import { drawTree, serverSpanOf, traceIdOf } from '../support/span-tree.js';
import { createScratchDatabase, scratchRedisPrefix, testPostgresUri, testRedisUri } from '../support/test-servers.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_SPAN_ID = '00f067aa0ba902b7';
const PROTOCOLS = ['http/json', 'http/protobuf'] as const;
const CONTENT_TYPES = { 'http/json': 'application/json', 'http/protobuf': 'application/x-protobuf' } as const;

const MISS_TREE = [
  'GET /ping',
  '  GET',
  '  lease take',
  '    SET',
  '  GET', // with the lease ours: recorded by an instance that let it go after our miss?
  '  INSERT pings',
  '    pool acquire',
  '  SET',
  '  lease release',
  '    EVAL',
];

/** The service traced to `collector`, on the test servers, its Redis keys under a fresh prefix. */
async function tracedService(
  collector: FakeOtlpCollector,
  protocol: (typeof PROTOCOLS)[number],
  env: Record<string, string>,
): Promise<ServiceProcess> {
  return ServiceProcess.start({
    REDIS_URI: testRedisUri,
    OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
    // Successful requests are logged at debug: the log lines of a request are asserted below.
    LOG_LEVEL: 'debug',
    ...env,
  });
}

/** Sends GET `path` and waits for its whole trace: the server span ends after everything under it. */
async function tracedGet(
  service: ServiceProcess,
  collector: FakeOtlpCollector,
  path: string,
  headers: Record<string, string> = {},
) {
  const answer = await fetch(`${service.url}${path}`, { headers });
  const traceId = traceIdOf(answer.headers.get('traceparent'));
  const spans = await collector.waitFor(
    (received) => received.some((span) => span.traceId === traceId && span.kind === 'SERVER'),
    `the server span of trace ${traceId}`,
  );
  const trace = spans.filter((span) => span.traceId === traceId);
  return { answer, traceId, trace, server: serverSpanOf(trace, traceId) };
}

const named = (trace: CollectedSpan[], name: string) => trace.filter((span) => span.name === name);

describe('traces in a fake OTLP collector (the real service, child processes)', function () {
  // Four service starts (migrations each) on a shared two-core machine, and trace exports a second apart.
  this.timeout(180_000);
  let database: Awaited<ReturnType<typeof createScratchDatabase>>;

  before(async () => {
    database = await createScratchDatabase('traces');
  });

  after(async () => {
    await database?.drop();
  });

  it('done when: a GET /ping with traceparent over OTLP/HTTP JSON gives spans of that trace, the server span under the caller’s, the trace id in the answer and in the request’s log lines', async () => {
    const collector = await FakeOtlpCollector.start();
    const redis = await scratchRedisPrefix('traces-done');
    const service = await tracedService(collector, 'http/json', {
      POSTGRES_URI: database.uri,
      REDIS_KEY_PREFIX: redis.prefix,
    });
    try {
      const { answer, traceId, trace, server } = await tracedGet(service, collector, '/ping', {
        traceparent: `00-${TRACE_ID}-${PARENT_SPAN_ID}-01`,
      });
      expect(answer.status).to.equal(200);
      expect(traceId).to.equal(TRACE_ID);
      expect(server.parentSpanId).to.equal(PARENT_SPAN_ID);
      expect(drawTree(trace, server)).to.deep.equal(MISS_TREE);
      expect(collector.requests.map((request) => request.contentType)).to.include('application/json');

      const requestId = answer.headers.get('x-request-id')!;
      const lines = service.logs.filter((line) => line.requestId === requestId);
      expect(lines.length, 'log lines of the request').to.be.greaterThan(0);
      for (const line of lines) expect(line).to.include({ trace_id: TRACE_ID, span_id: server.spanId });
    } finally {
      await service.stop();
      await redis.clear();
      await collector.close();
    }
  });

  for (const protocol of PROTOCOLS) {
    describe(`over OTLP/HTTP ${protocol}`, () => {
      let collector: FakeOtlpCollector;
      let redis: Awaited<ReturnType<typeof scratchRedisPrefix>>;
      let service: ServiceProcess;

      before(async () => {
        collector = await FakeOtlpCollector.start();
        redis = await scratchRedisPrefix('traces');
        service = await tracedService(collector, protocol, {
          POSTGRES_URI: database.uri,
          REDIS_KEY_PREFIX: redis.prefix,
          OTEL_SERVICE_NAME: 'pings-under-test',
          OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=e2e',
        });
      });

      after(async () => {
        await service?.stop();
        await redis?.clear();
        await collector?.close();
      });

      it('shows a MISS as the cache read, the lease, the insert and the cache write under the request', async () => {
        const { answer, trace, server } = await tracedGet(service, collector, '/ping');
        expect(answer.headers.get('x-cache')).to.equal('MISS');
        const headers = Object.fromEntries(answer.headers);
        expect(contractProblems('GET', '/ping', { status: 200, headers, text: await answer.text() })).to.deep.equal([]);
        expect(drawTree(trace, server)).to.deep.equal(MISS_TREE);
        expect(server).to.deep.include({ kind: 'SERVER', parentSpanId: '', status: { code: 'UNSET', message: '' } });
        expect(server.attributes).to.deep.include({
          'http.request.method': 'GET',
          'http.route': '/ping',
          'url.path': '/ping',
          'http.response.status_code': 200,
          'http.response.header.x-request-id': [answer.headers.get('x-request-id')],
          'http.response.header.x-cache': ['MISS'],
        });
        expect(server.resource).to.include({
          'service.name': 'pings-under-test',
          'deployment.environment.name': 'e2e',
        });
        const [insert] = named(trace, 'INSERT pings');
        expect(insert!.kind).to.equal('CLIENT');
        expect(insert!.attributes).to.include({
          'db.system.name': 'postgresql',
          'db.operation.name': 'INSERT',
          'db.collection.name': 'pings',
        });
        // No statement text, so no parameter can be in it.
        expect(Object.keys(insert!.attributes)).to.not.include('db.query.text');
        const [cacheRead, leaseSet, cacheReread, cacheWrite] = trace.filter(
          (span) => span.attributes['db.system.name'] === 'redis',
        );
        expect(cacheRead!.attributes).to.include({ 'db.operation.name': 'GET', 'ping_service.cache.found': false });
        expect(cacheReread!.attributes).to.include({ 'db.operation.name': 'GET', 'ping_service.cache.found': false });
        expect([leaseSet!.name, cacheWrite!.name]).to.deep.equal(['SET', 'SET']);
        expect(named(trace, 'lease take')[0]!.attributes).to.include({ 'ping_service.step.outcome': 'held' });
        expect(named(trace, 'lease release')[0]!.attributes).to.include({ 'ping_service.step.outcome': 'released' });
        for (const span of trace) expect(span.status.code, span.name).to.equal('UNSET');
        expect(new Set(collector.requests.map((request) => request.contentType))).to.deep.equal(
          new Set([CONTENT_TYPES[protocol]]),
        );
      });

      it('shows a HIT as one cache read under the request', async () => {
        const { answer, trace, server } = await tracedGet(service, collector, '/ping');
        expect(answer.headers.get('x-cache')).to.equal('HIT');
        expect(drawTree(trace, server)).to.deep.equal(['GET /ping', '  GET']);
        expect(named(trace, 'GET')[0]!.attributes).to.include({ 'ping_service.cache.found': true });
      });

      it('continues an incoming trace with its tracestate, and starts a new one for a malformed traceparent', async () => {
        const continued = await tracedGet(service, collector, '/ping', {
          traceparent: `00-${TRACE_ID.replace('4', '5')}-${PARENT_SPAN_ID}-01`,
          tracestate: 'vendor=opaque-value',
        });
        expect(continued.traceId).to.equal(TRACE_ID.replace('4', '5'));
        expect(continued.server).to.deep.include({ parentSpanId: PARENT_SPAN_ID, traceState: 'vendor=opaque-value' });

        for (const malformed of [`00-${'0'.repeat(32)}-${PARENT_SPAN_ID}-01`, `00-${TRACE_ID}-xyz-01`, 'garbage']) {
          const fresh = await tracedGet(service, collector, '/ping', { traceparent: malformed });
          expect(fresh.answer.status).to.equal(200);
          expect(fresh.traceId).to.not.equal(TRACE_ID);
          expect(fresh.server.parentSpanId, malformed).to.equal('');
        }
      });

      it('names a span by the route template, and does not mark a 4xx failed', async () => {
        const invalid = await tracedGet(service, collector, '/pings?limit=0');
        expect(invalid.answer.status).to.equal(400);
        expect(invalid.server.name).to.equal('GET /pings');
        expect(invalid.server.status.code).to.equal('UNSET');
        expect(invalid.server.attributes).to.include({ 'http.route': '/pings', 'http.response.status_code': 400 });

        const unknown = await tracedGet(service, collector, '/no/such/route');
        expect(unknown.answer.status).to.equal(404);
        // No route: the method alone, so random paths cannot multiply span names.
        expect(unknown.server.name).to.equal('GET');
        expect(unknown.server.attributes).to.not.have.property('http.route');
      });
    });
  }

  it('shows a STALE answer under a store outage: the failed insert marked, the request not', async () => {
    const collector = await FakeOtlpCollector.start();
    const redis = await scratchRedisPrefix('traces-stale');
    const target = new URL(testPostgresUri);
    const proxy = await FaultProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
    const viaProxy = new URL(database.uri);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const service = await tracedService(collector, 'http/protobuf', {
      POSTGRES_URI: viaProxy.toString(),
      REDIS_KEY_PREFIX: redis.prefix,
      CACHE_TTL_SECONDS: '1',
      STALE_GRACE_SECONDS: '60',
    });
    try {
      expect((await fetch(`${service.url}/ping`)).headers.get('x-cache')).to.equal('MISS');
      proxy.setMode('refuse');
      // Past the 1 s freshness the next answer is STALE; each refresh waits out the 1 s pool acquire.
      let stale: Response | undefined;
      const deadline = Date.now() + 15_000;
      while (!stale && Date.now() < deadline) {
        const answer = await fetch(`${service.url}/ping`);
        if (answer.headers.get('x-cache') === 'STALE') stale = answer;
        else await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(stale, 'a STALE answer within 15 s').to.not.equal(undefined);
      const traceId = traceIdOf(stale!.headers.get('traceparent'));
      // The request that found the entry stale started the refresh and answered STALE once the
      // stale fallback ran out; the refresh goes on (the pool acquire waits out its budget), so its
      // spans end after the server span: wait for the last of them.
      const spans = await collector.waitFor(
        (received) => received.some((span) => span.traceId === traceId && span.name === 'lease release'),
        'the STALE request’s refresh, to its lease release',
      );
      const trace = spans.filter((span) => span.traceId === traceId);
      const server = serverSpanOf(trace, traceId);
      expect(drawTree(trace, server)).to.deep.equal([
        'GET /ping',
        '  GET',
        '  lease take',
        '    SET',
        '  GET',
        '  INSERT pings',
        '    pool acquire',
        '  lease release',
        '    EVAL',
      ]);
      expect(server.status.code).to.equal('UNSET');
      expect(server.attributes).to.deep.include({
        'http.response.status_code': 200,
        'http.response.header.x-cache': ['STALE'],
      });
      const [insert] = named(trace, 'INSERT pings');
      expect(insert!.status.code).to.equal('ERROR');
      expect(insert!.attributes['error.type']).to.equal('StoreUnavailableError');
      expect(insert!.events.map((event) => event.name)).to.deep.equal(['exception']);
      expect(named(trace, 'pool acquire')[0]!.status.code).to.equal('ERROR');
    } finally {
      await service.stop();
      await proxy.close();
      await redis.clear();
      await collector.close();
    }
  });
});
