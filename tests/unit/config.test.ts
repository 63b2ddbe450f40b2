import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { ConfigError, loadConfig, maskUrl } from '../../infrastructure/config/config.js';
import { parsePostgresUri } from '../../infrastructure/postgres/postgres-hosts.js';

const SECRET = 's3cr3t-Pa55';

/** Every variable with a value it must refuse. */
const BAD_VALUES: Array<[string, string]> = [
  ['PORT', 'eighty'],
  ['PORT', '70000'],
  ['PORT', '0'],
  ['HOST', 'not a host'],
  ['POSTGRES_URI', `mysql://app:${SECRET}@db/pings`],
  ['POSTGRES_URI', `not a url ${SECRET}`],
  ['REDIS_URI', `http://:${SECRET}@cache:6379`],
  ['POSTGRES_URI', `postgres://app:${SECRET}@h1:5432,h2:99999/pings`],
  ['POSTGRES_URI', `postgres://app:${SECRET}@h1,h2/pings?target_session_attrs=standby`],
  ['POSTGRES_URI', `postgres://app:${SECRET}@h1,,h2/pings`],
  ['REDIS_SENTINELS', 'sentinel-0:26379;sentinel-1:26379'],
  ['REDIS_SENTINELS', 'sentinel-0:70000'],
  ['REDIS_KEY_PREFIX', 'has spaces'],
  ['SENTRY_DSN', `ftp://${SECRET}@sentry.example/1`],
  ['OTEL_EXPORTER_OTLP_ENDPOINT', `grpc://${SECRET}@collector:4317`],
  ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318'],
  ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'not a url'],
  ['OTEL_EXPORTER_OTLP_PROTOCOL', 'grpc'],
  ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'http/xml'],
  ['OTEL_TRACES_SAMPLER', 'parentbased_ratio'],
  ['OTEL_TRACES_SAMPLER_ARG', '1.5'],
  ['OTEL_TRACES_SAMPLER_ARG', 'half'],
  ['OTEL_RESOURCE_ATTRIBUTES', 'deployment.environment'],
  ['OTEL_RESOURCE_ATTRIBUTES', 'a=b=c'],
  ['OTEL_RESOURCE_ATTRIBUTES', 'team=%E0%A4%A'],
  ['CACHE_TTL_SECONDS', '0'],
  ['CACHE_TTL_SECONDS', 'abc'],
  ['CACHE_TTL_SECONDS', '-5'],
  ['STALE_GRACE_SECONDS', '1e3'],
  ['LOG_LEVEL', 'verbose'],
  ['PG_POOL_MAX', '0'],
  ['SHUTDOWN_DELAY_MS', '999999999'],
  ['SHUTDOWN_TIMEOUT_MS', '1'],
  ['HTTP_KEEP_ALIVE_TIMEOUT_MS', '500'],
  ['HTTP_KEEP_ALIVE_TIMEOUT_MS', 'long'],
  ['METRICS_PORT', '0'],
  ['METRICS_PORT', '5000'],
  ['WRITE_TOKENS', 'short'],
  ['WRITE_TOKENS', `${SECRET}-long-enough,has space in it`],
  ['WRITE_TOKENS', `${SECRET}-long-enough,`],
  ['PUBLIC_WRITES', 'yes'],
  ['WRITE_RATE_LIMIT_PER_MINUTE', '-1'],
  ['WRITE_RATE_LIMIT_PER_MINUTE', 'many'],
  ['TRUSTED_PROXY_HOPS', '11'],
  ['RETENTION_DAYS', '0'],
];

describe('configuration', () => {
  it('has the documented defaults with an empty environment', () => {
    const config = loadConfig({});
    expect(config.http).to.include({ port: 5000, host: '0.0.0.0' });
    expect(config.cache.ttlMs).to.equal(60_000);
    expect(config.postgres.uri).to.equal(null);
    expect(config.postgres.dataDir).to.equal('./.data');
    expect(config.redis.uri).to.equal(null);
    expect(config.sentry.dsn).to.equal(null);
    expect(config.log.level).to.equal('info');
    expect(config.http).to.include({ metricsPort: 9464, trustedProxyHops: 0 });
    expect(config.writes).to.deep.equal({ tokens: [], limitPerMinute: 60 });
    expect(config.retention.days).to.equal(30);
  });

  it('reads WRITE_TOKENS as a comma-separated list, spaces around each token dropped', () => {
    const tokens = ['a'.repeat(16), 'b-._~+/B0123456789=='];
    expect(loadConfig({ WRITE_TOKENS: ` ${tokens[0]} , ${tokens[1]}` }).writes.tokens).to.deep.equal(tokens);
  });

  it('refuses NODE_ENV=production without WRITE_TOKENS unless PUBLIC_WRITES=true, in one line naming both', () => {
    const backends = { NODE_ENV: 'production', POSTGRES_URI: 'postgres://p/db', REDIS_URI: 'redis://r' };
    const error = captureConfigError(backends);
    expect(error.variable).to.equal('WRITE_TOKENS');
    expect(error.message).to.include('WRITE_TOKENS').and.include('PUBLIC_WRITES=true').and.not.include('\n');
    expect(loadConfig({ ...backends, PUBLIC_WRITES: 'true' }).writes.tokens).to.deep.equal([]);
    expect(loadConfig({ ...backends, WRITE_TOKENS: 'x'.repeat(32) }).writes.tokens).to.have.length(1);
    // Outside production, writes are open by default (a laptop, the tests).
    expect(loadConfig({}).writes.tokens).to.deep.equal([]);
  });

  it('refuses PUBLIC_WRITES=true beside WRITE_TOKENS: one of them is a mistake', () => {
    expect(captureConfigError({ PUBLIC_WRITES: 'true', WRITE_TOKENS: 'x'.repeat(32) }).variable).to.equal(
      'PUBLIC_WRITES',
    );
  });

  it('treats an empty string as unset', () => {
    expect(loadConfig({ REDIS_URI: '', CACHE_TTL_SECONDS: '' }).cache.ttlMs).to.equal(60_000);
  });

  it('reads good values', () => {
    const config = loadConfig({
      PORT: '8080',
      POSTGRES_URI: 'postgres://u:p@db:5432/app',
      REDIS_URI: 'rediss://:p@cache:6380/2',
      CACHE_TTL_SECONDS: '5',
    });
    expect(config.http.port).to.equal(8080);
    expect(config.cache.ttlMs).to.equal(5_000);
  });

  it('leaves tracing off without an OTLP endpoint, whatever the other OTEL_* say', () => {
    expect(loadConfig({}).tracing).to.equal(null);
    expect(loadConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_TRACES_SAMPLER: 'always_on' }).tracing).to.equal(
      null,
    );
  });

  it('turns tracing on with an endpoint: OTLP/HTTP protobuf, parent-based always-on, the name from the SDK', () => {
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).tracing).to.deep.equal({
      tracesUrl: 'http://collector:4318/v1/traces',
      protocol: 'http/protobuf',
      serviceName: null,
      sampler: 'parentbased_always_on',
      samplerRatio: 1,
    });
  });

  it('prefers the traces variables over the general ones, and takes the sampler and its ratio', () => {
    const tracing = loadConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://tempo.example/otlp/v1/traces',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'pings-eu',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.01',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=prod,team=pings%2Ccore',
    }).tracing;
    expect(tracing).to.deep.equal({
      tracesUrl: 'https://tempo.example/otlp/v1/traces',
      protocol: 'http/json',
      serviceName: 'pings-eu',
      sampler: 'parentbased_traceidratio',
      samplerRatio: 0.01,
    });
  });

  for (const [variable, value] of BAD_VALUES) {
    it(`refuses ${variable}=${JSON.stringify(value.replace(SECRET, '…'))} with one line naming it, without the value`, () => {
      const error = captureConfigError({ [variable]: value });
      expect(error.variable).to.equal(variable);
      expect(error.message).to.match(new RegExp(`^invalid configuration: ${variable} `));
      expect(error.message).to.not.include('\n');
      expect(error.message).to.not.include(SECRET);
    });
  }

  it('refuses NODE_ENV=production without POSTGRES_URI or REDIS_URI (no embedded fallback)', () => {
    expect(captureConfigError({ NODE_ENV: 'production', REDIS_URI: 'redis://r' }).variable).to.equal('POSTGRES_URI');
    expect(captureConfigError({ NODE_ENV: 'production', POSTGRES_URI: 'postgres://p/db' }).variable).to.equal(
      'REDIS_URI',
    );
  });

  describe('PostgreSQL with several hosts (libpq multi-host URI)', () => {
    for (const attrs of ['read-write', 'primary', 'any']) {
      it(`accepts h1:5432,h2:5433 with target_session_attrs=${attrs}`, () => {
        const uri = `postgres://app:pw@h1:5432,h2:5433/pings?target_session_attrs=${attrs}`;
        expect(loadConfig({ POSTGRES_URI: uri }).postgres.uri).to.equal(uri);
      });
    }

    it('takes the URI apart into one single-host URI per host, without target_session_attrs', () => {
      const targets = parsePostgresUri(
        'postgresql://app:p%40ss@db-0,db-1:6432/pings?sslmode=require&target_session_attrs=read-write',
      );
      expect(targets.hosts).to.deep.equal([
        { host: 'db-0', port: 5432 },
        { host: 'db-1', port: 6432 },
      ]);
      expect(targets.targetSessionAttrs).to.equal('read-write');
      expect(targets.uriFor(targets.hosts[1]!)).to.equal('postgresql://app:p%40ss@db-1:6432/pings?sslmode=require');
      expect(targets.description).to.equal('db-0:5432,db-1:6432/pings');
    });
  });

  describe('Redis behind sentinels', () => {
    const sentinelEnv = {
      REDIS_SENTINELS: 'redis-node-0:26379,redis-node-1,10.0.0.3:5000',
      REDIS_SENTINEL_MASTER: 'mymaster',
    };

    it('reads the sentinels (port 26379 by default), the master set and the data nodes settings', () => {
      const config = loadConfig({
        ...sentinelEnv,
        REDIS_SENTINEL_PASSWORD: 'sp',
        REDIS_PASSWORD: 'dp',
        REDIS_DB: '3',
        REDIS_TLS: 'true',
      });
      expect(config.redis.uri).to.equal(null);
      expect(config.redis.sentinel).to.deep.equal({
        sentinels: [
          { host: 'redis-node-0', port: 26379 },
          { host: 'redis-node-1', port: 26379 },
          { host: '10.0.0.3', port: 5000 },
        ],
        masterName: 'mymaster',
        sentinelPassword: 'sp',
        password: 'dp',
        db: 3,
        tls: true,
      });
      expect(loadConfig(sentinelEnv).redis.sentinel).to.deep.include({ db: 0, tls: false, password: null });
    });

    it('refuses REDIS_URI and REDIS_SENTINELS together, naming both', () => {
      const error = captureConfigError({ ...sentinelEnv, REDIS_URI: `redis://:${SECRET}@cache:6379` });
      expect(error.message).to.include('REDIS_URI').and.include('REDIS_SENTINELS').and.not.include(SECRET);
    });

    it('refuses REDIS_SENTINELS without REDIS_SENTINEL_MASTER', () => {
      expect(captureConfigError({ REDIS_SENTINELS: 's:26379' }).variable).to.equal('REDIS_SENTINEL_MASTER');
    });

    for (const variable of [
      'REDIS_SENTINEL_MASTER',
      'REDIS_SENTINEL_PASSWORD',
      'REDIS_PASSWORD',
      'REDIS_DB',
      'REDIS_TLS',
    ]) {
      it(`refuses ${variable} without REDIS_SENTINELS (with REDIS_URI it belongs in the URL)`, () => {
        const value = variable === 'REDIS_DB' ? '1' : variable === 'REDIS_TLS' ? 'true' : SECRET;
        const error = captureConfigError({ REDIS_URI: 'redis://cache:6379', [variable]: value });
        expect(error.variable).to.equal(variable);
        expect(error.message).to.not.include(SECRET);
      });
    }

    it('NODE_ENV=production accepts REDIS_SENTINELS in place of REDIS_URI', () => {
      const config = loadConfig({
        NODE_ENV: 'production',
        POSTGRES_URI: 'postgres://p/db',
        PUBLIC_WRITES: 'true',
        ...sentinelEnv,
      });
      expect(config.redis.sentinel?.masterName).to.equal('mymaster');
    });
  });

  it('ignores what it does not read: a tuning variable of an older version changes nothing', () => {
    const tuned = loadConfig({ PG_STATEMENT_TIMEOUT_MS: '50', LEASE_WAIT_MS: '0', HTTP_MAX_CONNECTIONS: '1' });
    expect(tuned).to.deep.equal(loadConfig({}));
  });

  it('masks passwords in URLs shown in logs', () => {
    expect(maskUrl(`postgres://app:${SECRET}@db:5432/pings`)).to.equal('postgres://app:***@db:5432/pings');
    expect(maskUrl('redis://cache:6379')).to.equal('redis://cache:6379');
  });

  describe('the process', function () {
    // Each case compiles the entry point's import graph with tsx: seconds on a busy 2-core machine.
    this.timeout(60_000);
    const cases: Array<[Record<string, string>, string]> = [
      [{ CACHE_TTL_SECONDS: 'soon' }, 'CACHE_TTL_SECONDS'],
      [{ POSTGRES_URI: `mysql://root:${SECRET}@db/x` }, 'POSTGRES_URI'],
      [{ NODE_ENV: 'production', REDIS_URI: `redis://:${SECRET}@cache:6379` }, 'POSTGRES_URI'],
      [
        { NODE_ENV: 'production', POSTGRES_URI: `postgres://app:${SECRET}@db/x`, REDIS_URI: 'redis://r' },
        'PUBLIC_WRITES',
      ],
      [{ WRITE_TOKENS: `${SECRET}-but-one-is-bad,bad` }, 'WRITE_TOKENS'],
    ];
    for (const [env, variable] of cases) {
      it(`exits 1 with one stderr line naming ${variable} and no password`, () => {
        const run = spawnSync(process.execPath, ['--import', 'tsx', 'interfaces/startup/main.ts'], {
          env: { PATH: process.env.PATH, ...env },
          encoding: 'utf8',
          timeout: 45_000,
        });
        expect(run.status, run.stderr).to.equal(1);
        const lines = run.stderr.trim().split('\n');
        expect(lines).to.have.length(1);
        expect(lines[0]).to.include(variable);
        expect(run.stderr + run.stdout).to.not.include(SECRET);
      });
    }
  });
});

function captureConfigError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(Object.keys(env))} to be refused`);
}
