import { expect } from 'chai';
import { loadConfig } from '../../infrastructure/config/config.js';
import { createLogger } from '../../infrastructure/logging/logger.js';
import { withoutCommandArgs } from '../../infrastructure/redis/redis-error.js';
import { SecretMasker } from '../../infrastructure/logging/secret-masker.js';
import { makeHttpHarness } from '../support/http-harness.js';

const PG_PASSWORD = 'SeCrEt-pg-p4ss';
const REDIS_PASSWORD = 'R3dis-secret%2Fslash'; // percent-encoded "/" in the URL
const ENV = {
  POSTGRES_URI: `postgres://app:${PG_PASSWORD}@db.internal:5432/pings`,
  REDIS_URI: `rediss://default:${REDIS_PASSWORD}@cache.internal:6380/2`,
  SENTRY_DSN: 'https://0123456789abcdef@o1.ingest.sentry.io/42',
};
const SECRETS = [PG_PASSWORD, REDIS_PASSWORD, decodeURIComponent(REDIS_PASSWORD), ENV.SENTRY_DSN];

/** A pino destination that keeps every line in memory. */
function memoryDestination() {
  const lines: string[] = [];
  return { lines, write: (line: string) => void lines.push(line) };
}

function makeLogger(level = 'debug') {
  const config = loadConfig({ ...ENV, LOG_LEVEL: level });
  const destination = memoryDestination();
  return { logger: createLogger(config, destination), lines: destination.lines, config };
}

function expectNoSecret(lines: readonly string[]): void {
  expect(lines.length).to.be.greaterThan(0);
  for (const line of lines) {
    JSON.parse(line); // masking must leave valid JSON
    for (const secret of SECRETS) expect(line, line).to.not.include(secret);
  }
}

describe('logs without secrets', () => {
  it('masks passwords in URLs, error messages, stacks, nested objects and messages', () => {
    const { logger, lines, config } = makeLogger();
    logger.info({ store: ENV.POSTGRES_URI, nested: { deeper: { url: ENV.REDIS_URI } } }, 'backends');
    logger.error({ err: new Error(`connect ECONNREFUSED ${ENV.REDIS_URI}`) }, 'cache failed');
    logger.warn(`could not reach ${ENV.POSTGRES_URI} in time`);
    logger.info({ config }, 'the whole configuration');
    logger.info({ env: ENV }, 'the environment');
    logger.info({ dsn: config.sentry.dsn }, 'the DSN on its own');
    logger.info({ text: `password alone: ${PG_PASSWORD}` }, 'a bare password');
    expectNoSecret(lines);
    expect(lines.join('\n')).to.include('postgres://app:***@db.internal:5432/pings');
  });

  it('redacts credential headers and password fields by key, at any depth', () => {
    const { logger, lines } = makeLogger();
    logger.info({ req: { headers: { authorization: 'Bearer abc.def.ghi', cookie: 'sid=s3cr3t-cookie' } } }, 'req');
    logger.info({ password: 'hunter2-hunter2', user: { password: 'x-y-z-w-v' } }, 'fields');
    logger.info({ a: { b: { c: { Authorization: 'Basic deep-deep-deep' } } } }, 'deep');
    logger.info({ res: { headers: { 'set-cookie': ['first=cookie-one', 'second="cookie-two"'] } } }, 'array');
    const text = lines.join('\n');
    for (const secret of ['abc.def.ghi', 's3cr3t', 'hunter2', 'x-y-z-w-v', 'deep-deep', 'cookie-one', 'cookie-two']) {
      expect(text).to.not.include(secret);
    }
    for (const line of lines) JSON.parse(line);
    expect(JSON.parse(lines[3]!).res.headers['set-cookie']).to.equal('[redacted]');
  });

  it('writes every request at debug with the request id, route template and status (scrapes are not logged)', async () => {
    const { logger, lines } = makeLogger('debug');
    const { request, scrape } = makeHttpHarness({ Logger: logger });
    await request({ method: 'GET', url: '/ping', headers: { 'x-request-id': 'abc-123' } });
    await request({
      method: 'GET',
      url: `/pings?limit=2&password=${PG_PASSWORD}`,
      headers: { authorization: `Basic ${PG_PASSWORD}`, cookie: `session=${PG_PASSWORD}` },
    });
    await request({ method: 'GET', url: `/login/${encodeURIComponent(ENV.POSTGRES_URI)}` });
    await request({ method: 'GET', url: '/healthz' });
    await request({ method: 'GET', url: '/readyz' });
    await scrape();
    const access = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request');
    expect(access.map((l) => [l.route, l.status, l.level])).to.deep.equal([
      ['/ping', 200, 20],
      ['/pings', 200, 20],
      ['unmatched', 404, 30],
      ['/healthz', 200, 20],
      ['/readyz', 200, 20],
    ]);
    expect(access[0]).to.include({ requestId: 'abc-123', method: 'GET', path: '/ping' });
    expect(access[0].durationMs).to.be.a('number');
    expectNoSecret(lines);
  });

  it('at the default level logs client errors, not fast successes or probes', async () => {
    const { logger, lines } = makeLogger('info');
    const { request } = makeHttpHarness({ Logger: logger });
    await request({ method: 'GET', url: '/ping' });
    await request({ method: 'GET', url: '/healthz' });
    await request({ method: 'GET', url: '/pings?limit=0' });
    await request({ method: 'DELETE', url: '/ping' });
    const access = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request');
    expect(access.map((l) => [l.route, l.status, l.level])).to.deep.equal([
      ['/pings', 400, 30],
      ['/ping', 405, 30],
    ]);
  });

  it('keeps probe lines at debug level', async () => {
    const { logger, lines } = makeLogger('debug');
    const { request } = makeHttpHarness({ Logger: logger });
    await request({ method: 'GET', url: '/readyz' });
    const probe = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'request');
    expect(probe).to.include({ route: '/readyz', level: 20 });
  });
});

describe('SecretMasker', () => {
  const masker = new SecretMasker(['literal-secret-value']);

  const cases: Array<[string, string, string]> = [
    ['a URL password', 'postgres://u:pw@h:5432/db', 'postgres://u:***@h:5432/db'],
    ['any scheme', 'amqp://guest:guest-pw@mq/vhost', 'amqp://guest:***@mq/vhost'],
    ['a raw @ inside the password', 'redis://:p@ss@host:6379', 'redis://:***@host:6379'],
    ['two URLs in one line', 'a=redis://:x@h1 b=postgres://u:y@h2/d', 'a=redis://:***@h1 b=postgres://u:***@h2/d'],
    ['a URL inside JSON', '{"u":"redis://:pw@h","e":"a@b.c"}', '{"u":"redis://:***@h","e":"a@b.c"}'],
    [
      'a password query parameter',
      'postgres://h/db?sslmode=require&password=pw',
      'postgres://h/db?sslmode=require&password=***',
    ],
    ['a literal secret', 'the key is literal-secret-value!', 'the key is ***!'],
  ];
  for (const [what, input, expected] of cases) {
    it(`masks ${what}`, () => expect(masker.mask(input)).to.equal(expected));
  }

  it('leaves e-mail addresses and ordinary assignments alone', () => {
    expect(masker.mask('user@example.com sent x=1')).to.equal('user@example.com sent x=1');
  });

  it('does not turn a password equal to the user name into a mask of every mention of it', () => {
    const fromConfig = SecretMasker.fromConfig(loadConfig({ POSTGRES_URI: 'postgres://postgres:postgres@h/postgres' }));
    expect(fromConfig.mask('database postgres is up')).to.equal('database postgres is up');
    expect(fromConfig.mask('postgres://postgres:postgres@h/postgres')).to.equal('postgres://postgres:***@h/postgres');
  });
});

describe("SecretMasker with a deployment's configured secrets", () => {
  it('masks a configured password however short, in a URL and as a bare word', () => {
    const masker = SecretMasker.fromConfig(loadConfig({ REDIS_URI: 'redis://:shrt77@h:6379' }));
    expect(masker.mask('{"args":["3","AUTH","default","shrt77"]}')).to.equal('{"args":["3","AUTH","default","***"]}');
  });

  it('masks the secret-bearing query parameters of POSTGRES_URI and the Sentry DSN key', () => {
    const masker = SecretMasker.fromConfig(
      loadConfig({
        POSTGRES_URI: 'postgres://u@h/db?sslmode=verify-full&sslrootcert=/etc/pgS3cretX&sslpassword=k3y',
        SENTRY_DSN: 'https://abcdef0123456789@o1.ingest.sentry.io/42',
      }),
    );
    expect(masker.mask("ENOENT: no such file or directory, open '/etc/pgS3cretX'")).to.not.include('pgS3cretX');
    expect(masker.mask('sslpassword=k3y and k3y')).to.not.include('k3y');
    expect(masker.mask('key abcdef0123456789 in a header')).to.equal('key *** in a header');
    expect(masker.mask('sslmode verify-full')).to.equal('sslmode verify-full');
  });
});

describe('withoutCommandArgs (ioredis errors)', () => {
  it('keeps the command name and drops its arguments, down the cause chain', () => {
    const inner = Object.assign(new Error('WRONGPASS'), {
      command: { name: 'hello', args: ['3', 'AUTH', 'default', 'pw'] },
    });
    const outer = Object.assign(new Error('Redis GET failed', { cause: inner }), {
      command: { name: 'get', args: ['k'] },
    });
    expect(withoutCommandArgs(outer)).to.equal(outer);
    expect(outer.command).to.deep.equal({ name: 'get' });
    expect(inner.command).to.deep.equal({ name: 'hello' });
  });
});
