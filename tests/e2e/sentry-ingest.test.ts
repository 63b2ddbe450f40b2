import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { FakeOtlpCollector } from '../../harness/fake-otlp-collector.js';
import { FakeSentryIngest } from '../../harness/fake-sentry-ingest.js';
import { freePort } from '../../harness/free-port.js';
import { waitUntil } from '../../harness/wait-until.js';
import { waitUntilReady } from '../../harness/wait-until-ready.js';

const root = resolve(import.meta.dirname, '../..');
const PG_PASSWORD = 'SeCrEt-pg';
const REDIS_PASSWORD = 'SeCrEt-redis';
// The local servers trust every local connection, so these passwords are harmless; nothing here
// connects anyway (the test service keeps its pings in memory), but they sit in the process's
// environment and configuration, and in every error message the test service raises.
const BACKENDS = {
  POSTGRES_URI: `postgres://postgres:${PG_PASSWORD}@127.0.0.1:5432/postgres`,
  REDIS_URI: `redis://default:${REDIS_PASSWORD}@127.0.0.1:6379/0`,
};
const RELEASE = 'ping-service@e2e-1.2.3';

/** The test service (tests/support/sentry-test-service.ts) in its own process, Sentry loaded first. */
class TestService {
  readonly output: string[] = [];
  private readonly exited: Promise<unknown>;

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {
    this.exited = once(child, 'exit');
    child.stdout!.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
  }

  static async start(env: Record<string, string>): Promise<TestService> {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--import', './infrastructure/sentry/instrument.ts', 'tests/support/sentry-test-service.ts'],
      {
        cwd: root,
        env: { PATH: process.env.PATH, NODE_ENV: 'test', ...BACKENDS, ...env, PORT: String(port) },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const service = new TestService(child, `http://127.0.0.1:${port}`);
    await service.waitUntilReady();
    return service;
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** SIGTERM: the service drains and flushes its reports; resolves to the exit code. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    return this.exit();
  }

  async exit(): Promise<number | null> {
    await this.exited;
    return this.child.exitCode;
  }

  private async waitUntilReady(): Promise<void> {
    await waitUntilReady(this.child, `${this.url}/readyz`, () => `the test service: ${this.output.join('')}`);
  }
}

/** 15 s: the SDK sends each event as it is captured; the rest is room for a busy machine. */
const until = (condition: () => boolean, what: string) => waitUntil(condition, { timeoutMs: 15_000, what });

/** The innermost exception of an event (linked errors come first, the thrown one last). */
const thrown = (event: Record<string, any>) => event.exception.values.at(-1);

describe('Sentry error reporting against a local ingest (real SDK, child process)', function () {
  this.timeout(60_000);
  let ingest: FakeSentryIngest;
  let service: TestService | undefined;

  beforeEach(async () => {
    ingest = await FakeSentryIngest.start();
  });

  afterEach(async () => {
    await service?.stop();
    service = undefined;
    await ingest.close();
  });

  it('reports each unexpected error once, tagged and scrubbed, and no 4xx answer', async () => {
    service = await TestService.start({
      SENTRY_DSN: ingest.dsn,
      SENTRY_RELEASE: RELEASE,
      SENTRY_ENVIRONMENT: 'e2e',
      LOG_LEVEL: 'info',
    });

    const failed = await fetch(`${service.url}/ping`, { headers: { 'x-request-id': 'e2e-request-1' } });
    expect(failed.status).to.equal(500);
    expect(await failed.json()).to.deep.equal({ error: { code: 'internal', message: 'internal error' } });
    // Answers the service gives on purpose: never reported.
    expect((await fetch(`${service.url}/no/such/route`)).status).to.equal(404);
    expect((await fetch(`${service.url}/pings?limit=0`)).status).to.equal(400);
    const badJson = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"note":' };
    expect((await fetch(`${service.url}/pings`, badJson)).status).to.equal(400);
    // The shared cache fails on every write: one report when the outage starts, not one per request.
    for (let i = 0; i < 3; i++) expect((await fetch(`${service.url}/pings`, { method: 'POST' })).status).to.equal(201);
    service.signal('SIGUSR2');

    await until(() => ingest.events().length >= 3, 'three events at the ingest');
    expect(await service.stop()).to.equal(0);

    for (const request of ingest.requests) {
      expect(request.method).to.equal('POST');
      expect(request.url).to.match(/^\/api\/1\/envelope\//);
    }
    const events = ingest.events();
    expect(events.map((e) => thrown(e).type).sort()).to.deep.equal(['Error', 'RangeError', 'TypeError']);

    const typeError = events.find((e) => thrown(e).type === 'TypeError')!;
    expect(thrown(typeError).value).to.equal(
      'cannot read the last ping from postgres://postgres:***@127.0.0.1:5432/postgres and redis://default:***@127.0.0.1:6379/0',
    );
    expect(typeError.tags).to.deep.include({ route: '/ping', method: 'GET', requestId: 'e2e-request-1' });
    expect(typeError).to.include({ release: RELEASE, environment: 'e2e', level: 'error' });
    expect(thrown(typeError).stacktrace.frames.length).to.be.greaterThan(0);

    const cacheDown = events.find((e) => thrown(e).type === 'Error')!;
    expect(cacheDown.tags).to.deep.include({ dependency: 'cache', event: 'dependency_down' });
    expect(thrown(cacheDown).value).to.equal('cache unreachable at redis://default:***@127.0.0.1:6379/0');

    const rejection = events.find((e) => thrown(e).type === 'RangeError')!;
    expect(rejection.tags).to.deep.include({ event: 'unhandled_rejection' });
    expect(thrown(rejection).mechanism).to.include({ handled: false });

    const everything = ingest.requests.map((r) => `${r.url}\n${JSON.stringify(r.headers)}\n${r.body}`).join('\n');
    const logs = service!.output.join('');
    for (const password of [PG_PASSWORD, REDIS_PASSWORD]) {
      expect(everything, 'in what reached the ingest').to.not.include(password);
      expect(logs, 'in the service output').to.not.include(password);
    }
    // The same failures are in the logs, each with the id of its Sentry event.
    const reported = logs
      .split('\n')
      .filter((line) => line.includes('"error reported to Sentry"'))
      .map((line) => JSON.parse(line));
    expect(reported.map((line) => line.sentryEventId).sort()).to.deep.equal(events.map((e) => e.event_id).sort());
  });

  it('reports an uncaught exception once, as fatal, flushes it, and exits 1 with a masked line', async () => {
    service = await TestService.start({ SENTRY_DSN: ingest.dsn, SENTRY_RELEASE: RELEASE, LOG_LEVEL: 'info' });
    service.signal('SIGHUP');
    expect(await service.exit()).to.equal(1);
    // Flushed before the exit: the event is there without waiting.
    const events = ingest.events();
    expect(events).to.have.length(1);
    expect(events[0]).to.include({ level: 'fatal', release: RELEASE });
    expect(thrown(events[0]!)).to.deep.include({ type: 'SyntaxError' });
    expect(thrown(events[0]!).mechanism).to.include({ handled: false });
    const output = service.output.join('');
    expect(output).to.include('"msg":"uncaught exception: exiting"');
    for (const password of [PG_PASSWORD, REDIS_PASSWORD]) {
      expect(output).to.not.include(password);
      expect(JSON.stringify(events)).to.not.include(password);
    }
  });

  it('beside OpenTelemetry tracing: one setup, the error in Sentry on the trace whose spans reach the collector', async () => {
    const collector = await FakeOtlpCollector.start();
    try {
      service = await TestService.start({
        SENTRY_DSN: ingest.dsn,
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      });
      const traceId = '6e0c63257de34c92bf9efcd03927272e';
      const failed = await fetch(`${service.url}/ping`, {
        headers: { traceparent: `00-${traceId}-b9c7c989f97918e1-01` },
      });
      expect(failed.status).to.equal(500);
      await until(() => ingest.events().length >= 1, 'the event at the ingest');
      const spans = await collector.waitFor(
        (received) => received.some((span) => span.traceId === traceId && span.kind === 'SERVER'),
        'the failed request’s server span',
      );
      const server = spans.find((span) => span.traceId === traceId && span.kind === 'SERVER')!;
      expect(server.status.code).to.equal('ERROR');
      expect(server.attributes['error.type']).to.equal('500');
      expect(server.events.map((event) => event.name)).to.deep.equal(['exception']);
      // The report was made while the server span was active: Sentry files it under that span.
      const [event] = ingest.events();
      expect(thrown(event!).type).to.equal('TypeError');
      expect(event!.contexts.trace).to.include({ trace_id: traceId, span_id: server.spanId });
      // Sentry traced nothing of its own: only error events reached its ingest.
      expect(ingest.items().map((item) => item.header.type)).to.not.include.members(['transaction', 'span']);
      // The exception on the span quotes the error's message, passwords masked as in the logs.
      const exception = JSON.stringify(server.events[0]!.attributes);
      expect(exception).to.include('postgres://postgres:***@127.0.0.1:5432/postgres');
      for (const password of [PG_PASSWORD, REDIS_PASSWORD]) {
        const everything = JSON.stringify(spans, (_key, value: unknown) => (typeof value === 'bigint' ? '' : value));
        expect(everything, 'in what reached the collector').to.not.include(password);
      }
    } finally {
      await service?.stop();
      service = undefined;
      await collector.close();
    }
  });

  it('sends nothing when SENTRY_DSN is unset', async () => {
    service = await TestService.start({ SENTRY_RELEASE: RELEASE, LOG_LEVEL: 'info' });
    expect((await fetch(`${service.url}/ping`)).status).to.equal(500);
    expect((await fetch(`${service.url}/pings`, { method: 'POST' })).status).to.equal(201);
    service.signal('SIGUSR2');
    await until(() => service!.output.join('').includes('stray rejection'), 'the rejection in the logs');
    expect(await service.stop()).to.equal(0);
    // Reported through the logs instead: three failures, and nothing left the host.
    expect(
      service!.output.join('').match(/"msg":"error reported \(to the logs only: SENTRY_DSN is unset\)"/g),
    ).to.have.length(3);
    expect(ingest.requests).to.deep.equal([]);
  });
});
