import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { freePort } from '../../harness/free-port.js';
import { RedisServerProcess } from '../../harness/redis-server-process.js';
import { waitUntil } from '../../harness/wait-until.js';
import { ServiceProcess } from '../support/service-process.js';
import { createScratchDatabase } from '../support/test-servers.js';

/**
 * Credentials must never reach stdout or stderr, however short: the real process, at
 * LOG_LEVEL=debug, with a wrong 6-character Redis password (ioredis puts the AUTH arguments on its
 * errors) and a PostgreSQL URI whose query string names a secret path.
 */
describe('credentials never reach the output (real process)', function () {
  this.timeout(60_000);
  let redis: RedisServerProcess;
  let database: { uri: string; drop: () => Promise<void> };
  let dir: string;

  before(async () => {
    redis = await RedisServerProcess.start(undefined, { args: ['--requirepass', 'another-password'] });
    database = await createScratchDatabase('secrets');
    dir = mkdtempSync(join(tmpdir(), 'ping-secrets-'));
  });

  after(async () => {
    await redis?.kill();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a wrong short Redis password is never printed, at debug level, through reconnects and requests', async () => {
    const postgres = new URL(database.uri);
    postgres.password = 'pgpw42'; // the test server trusts local connections: any password works
    const service = await ServiceProcess.start({
      POSTGRES_URI: postgres.toString(),
      REDIS_URI: `redis://:shrt77@127.0.0.1:${redis.port}`,
      LOG_LEVEL: 'debug',
    });
    // Each failed connection attempt is one error from the Redis client: a warning, then debug.
    const redisErrors = () => service.logs.filter((line) => line.component === 'redis' && line.err).length;
    try {
      for (let i = 0; i < 5; i++) {
        expect((await fetch(`${service.url}/ping`)).headers.get('x-cache')).to.equal('BYPASS');
        await fetch(`${service.url}/readyz`);
      }
      // Three attempts: the first (a warning) and two reconnects logged at debug. 10 s: the
      // client's backoff is capped at 2 s; the rest is room for a busy machine.
      await waitUntil(() => redisErrors() >= 3, { timeoutMs: 10_000, what: 'three failed connection attempts' });
    } finally {
      await service.stop();
    }
    const output = JSON.stringify(service.logs) + service.stderr.join('\n');
    // The failure itself is visible (so the test sees what it guards)...
    expect(output).to.match(/WRONGPASS|NOAUTH|invalid username-password/);
    // ...but no command's arguments are logged (stripped, not only masked)...
    expect(output).to.include('"command":{"name":"hello"}');
    expect(output).to.not.include('"args"');
    // ...and neither password is.
    expect(output).to.not.include('shrt77');
    expect(output).to.not.include('pgpw42');
  });

  for (const script of ['interfaces/startup/main.ts', 'interfaces/startup/migrate.ts']) {
    it(`a secret in POSTGRES_URI's query string is masked in the start-up failure line of ${script}`, async () => {
      const secretPath = join(dir, 'pgS3cretX');
      const uri = `postgres://postgres:pw123@127.0.0.1:5432/x?sslmode=verify-full&sslrootcert=${secretPath}`;
      const { code, stdout, stderr } = await ServiceProcess.runToExit(
        { POSTGRES_URI: uri, PORT: String(await freePort()) },
        script,
      );
      expect(code).to.equal(1);
      expect(stderr).to.match(/ENOENT/);
      expect(stdout + stderr).to.not.include('pgS3cretX');
      expect(stdout + stderr).to.not.include('pw123');
    });
  }
});
