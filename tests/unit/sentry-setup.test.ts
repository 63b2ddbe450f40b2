import { expect } from 'chai';
import type { Breadcrumb, ErrorEvent, EventHint } from '@sentry/node';
import { loadConfig } from '../../infrastructure/config/config.js';
import { sentryOptions } from '../../infrastructure/sentry/sentry-setup.js';

const PG_PASSWORD = 'SeCrEt-pg-8chars';
const REDIS_PASSWORD = 'SeCrEt-redis-8chars';
const ENV = {
  SENTRY_DSN: 'http://publickey@127.0.0.1:9/1',
  SENTRY_RELEASE: 'ping-service@1.2.3',
  SENTRY_ENVIRONMENT: 'staging',
  POSTGRES_URI: `postgres://app:${PG_PASSWORD}@db:5432/pings`,
  REDIS_URI: `redis://:${REDIS_PASSWORD}@cache:6379/0`,
};

const integrationNames = (options: ReturnType<typeof sentryOptions>) =>
  (options.integrations as Array<{ name: string }>).map((i) => i.name).sort();

describe('Sentry options (@sentry/node, not initialised here)', () => {
  it('takes DSN, release and environment from the configuration', () => {
    const options = sentryOptions(loadConfig(ENV));
    expect(options).to.include({ dsn: ENV.SENTRY_DSN, release: 'ping-service@1.2.3', environment: 'staging' });
  });

  it('captures errors with a chosen few integrations and no tracing by default', () => {
    const options = sentryOptions(loadConfig(ENV));
    expect(options.defaultIntegrations).to.equal(false);
    expect(integrationNames(options)).to.deep.equal([
      'Context',
      'ContextLines',
      'LinkedErrors',
      'NodeSystemError',
      'OnUncaughtException',
    ]);
    // null rather than undefined: the SDK would read SENTRY_TRACES_SAMPLE_RATE itself otherwise.
    expect(options.tracesSampleRate).to.equal(null);
    expect(options.enableRuntimeChannelInjection).to.equal(false);
  });

  it('never traces itself; beside OpenTelemetry tracing it only stamps errors with the active trace', () => {
    // A variable of the old tracing changes nothing: the SDK is handed null, not undefined.
    const options = sentryOptions(
      loadConfig({ ...ENV, SENTRY_TRACES_SAMPLE_RATE: '1.0', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' }),
    );
    expect(options.tracesSampleRate).to.equal(null);
    expect(options.enableOpenTelemetrySetup).to.equal(false);
    expect(integrationNames(options)).to.include('OpenTelemetry');
    expect(integrationNames(options)).to.not.include.members(['Http', 'Koa', 'Redis', 'Postgres']);
    expect(integrationNames(sentryOptions(loadConfig(ENV)))).to.not.include('OpenTelemetry');
  });

  it('scrubs credentials from every part of an event before it is sent', async () => {
    const options = sentryOptions(loadConfig(ENV));
    const event: ErrorEvent = {
      type: undefined,
      message: `failed to reach ${ENV.REDIS_URI}`,
      exception: { values: [{ type: 'Error', value: `connect to ${ENV.POSTGRES_URI} refused` }] },
      request: {
        url: `http://admin:${PG_PASSWORD}@svc/ping?password=${REDIS_PASSWORD}`,
        headers: { authorization: 'Bearer tok-tok-tok', cookie: 'sid=cookie-value', accept: 'application/json' },
        cookies: { sid: 'cookie-value' },
      },
      extra: { env: { POSTGRES_URI: ENV.POSTGRES_URI }, dsn: ENV.SENTRY_DSN, password: 'field-password' },
      breadcrumbs: [{ message: `GET ${ENV.REDIS_URI}`, data: { url: ENV.POSTGRES_URI } }],
      tags: { route: '/ping' },
    };
    const sent = await options.beforeSend!(event, {} as EventHint);
    const text = JSON.stringify(sent);
    for (const secret of [
      PG_PASSWORD,
      REDIS_PASSWORD,
      ENV.SENTRY_DSN,
      'tok-tok-tok',
      'cookie-value',
      'field-password',
    ]) {
      expect(text).to.not.include(secret);
    }
    expect(sent!.exception!.values![0]!.value).to.equal('connect to postgres://app:***@db:5432/pings refused');
    expect(sent!.request!.headers!.accept).to.equal('application/json');
    expect(sent!.tags).to.deep.equal({ route: '/ping' });
  });

  it('scrubs breadcrumbs as they are recorded', () => {
    const options = sentryOptions(loadConfig(ENV));
    const crumb: Breadcrumb = { category: 'http', data: { url: ENV.REDIS_URI, headers: { authorization: 'Basic x' } } };
    const kept = options.beforeBreadcrumb!(crumb);
    expect(JSON.stringify(kept)).to.not.include(REDIS_PASSWORD).and.not.include('Basic x');
  });
});
