import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { ConfigError, loadConfig, maskUrl } from '../../infrastructure/config/config.js';

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
  ['REDIS_KEY_PREFIX', 'has spaces'],
  ['SENTRY_DSN', `ftp://${SECRET}@sentry.example/1`],
  ['SENTRY_TRACES_SAMPLE_RATE', '1.5'],
  ['CACHE_TTL_SECONDS', '0'],
  ['CACHE_TTL_SECONDS', 'abc'],
  ['CACHE_TTL_SECONDS', '-5'],
  ['STALE_GRACE_SECONDS', '1e3'],
  ['LOG_LEVEL', 'verbose'],
  ['LOG_PRETTY', 'maybe'],
  ['REDIS_CONNECT_TIMEOUT_MS', '5'],
  ['REDIS_COMMAND_TIMEOUT_MS', 'fast'],
  ['PG_POOL_MAX', '0'],
  ['PG_ACQUIRE_TIMEOUT_MS', '10'],
  ['PG_STATEMENT_TIMEOUT_MS', '1.5'],
  ['LEASE_TTL_MS', '1'],
  ['LEASE_WAIT_MS', '-1'],
  ['READINESS_TIMEOUT_MS', 'x'],
  ['SHUTDOWN_DELAY_MS', '999999999'],
  ['SHUTDOWN_TIMEOUT_MS', '1'],
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
      SENTRY_TRACES_SAMPLE_RATE: '0.25',
    });
    expect(config.http.port).to.equal(8080);
    expect(config.cache.ttlMs).to.equal(5_000);
    expect(config.sentry.tracesSampleRate).to.equal(0.25);
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

  it('masks passwords in URLs shown in logs', () => {
    expect(maskUrl(`postgres://app:${SECRET}@db:5432/pings`)).to.equal('postgres://app:***@db:5432/pings');
    expect(maskUrl('redis://cache:6379')).to.equal('redis://cache:6379');
  });

  describe('the process', () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ CACHE_TTL_SECONDS: 'soon' }, 'CACHE_TTL_SECONDS'],
      [{ POSTGRES_URI: `mysql://root:${SECRET}@db/x` }, 'POSTGRES_URI'],
      [{ NODE_ENV: 'production', REDIS_URI: `redis://:${SECRET}@cache:6379` }, 'POSTGRES_URI'],
    ];
    for (const [env, variable] of cases) {
      it(`exits 1 with one stderr line naming ${variable} and no password`, () => {
        const run = spawnSync(process.execPath, ['--import', 'tsx', 'interfaces/main.ts'], {
          env: { PATH: process.env.PATH, ...env },
          encoding: 'utf8',
          timeout: 15_000,
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
