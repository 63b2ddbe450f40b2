import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadConfig } from '../../infrastructure/config/config.js';
import { appDefaultPort, readText, root } from '../support/delivery-files.js';
import { ServiceProcess } from '../support/service-process.js';
import { createScratchDatabase, scratchRedisPrefix, testRedisUri } from '../support/test-servers.js';

/** `sh .ci/smoke-checks.sh <url>` as the build job runs it; its exit code and output. */
async function smokeChecks(baseUrl: string, env: Record<string, string> = {}) {
  const child = spawn('sh', [join(root, '.ci/smoke-checks.sh'), baseUrl], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr, lines: stderr.trim().split('\n').filter(Boolean) };
}

type Answer = { status: number; headers?: Record<string, string>; body?: unknown };

/** A server that answers each path with the next of its scripted answers (the last repeats). */
async function scriptedServer(answers: Record<string, Answer[]>): Promise<{ url: string; server: Server }> {
  const served = new Map<string, number>();
  const server = createServer((request, response) => {
    const path = request.url ?? '/';
    const list = answers[path] ?? [{ status: 404, body: { error: { code: 'not_found', message: path } } }];
    const index = served.get(path) ?? 0;
    served.set(path, index + 1);
    const answer = list[Math.min(index, list.length - 1)]!;
    response.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', ...answer.headers });
    response.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? {}));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const ping = (id: number, source: string) => ({
  message: 'Ping received and processed.',
  source,
  ping: { id, createdAt: '2026-01-01T00:00:00.000Z', note: null },
});
/** Right answers, each replaceable by a wrong one. */
const rightAnswers = (): Record<string, Answer[]> => ({
  '/readyz': [{ status: 200, body: { status: 'ready' } }],
  '/healthz': [{ status: 200, body: { status: 'ok' } }],
  '/ping': [
    { status: 200, headers: { 'x-cache': 'MISS' }, body: ping(7, 'database') },
    { status: 200, headers: { 'x-cache': 'HIT' }, body: ping(7, 'cache') },
  ],
  '/openapi.json': [{ status: 200, body: { openapi: '3.1.0', paths: { '/ping': {} } } }],
});

describe('.ci/smoke-checks.sh (the build job asks the image it built)', function () {
  this.timeout(120_000);
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  describe('against the service, started here on a fresh database and cache', () => {
    let service: ServiceProcess;
    before(async () => {
      const database = await createScratchDatabase('ping_smoke_checks');
      cleanups.push(database.drop);
      const redis = await scratchRedisPrefix('ping-service-smoke-checks');
      cleanups.push(redis.clear);
      service = await ServiceProcess.start({
        POSTGRES_URI: database.uri,
        REDIS_URI: testRedisUri,
        REDIS_KEY_PREFIX: redis.prefix,
        HOST: '127.0.0.1',
      });
      cleanups.push(() => service.stop('SIGKILL'));
    });

    it('passes: ready, /healthz, GET /ping MISS then HIT of the same ping, /openapi.json', async () => {
      const run = await smokeChecks(service.url);
      expect(run.code, run.stdout + run.stderr).to.equal(0);
      expect(run.stdout).to.match(/GET \/readyz 200/);
      expect(run.stdout).to.match(/GET \/healthz 200/);
      expect(run.stdout).to.match(
        /GET \/ping 200 MISS \(ping (\d+) recorded\)[\s\S]*GET \/ping 200 HIT \(ping \1 from/,
      );
      expect(run.stdout).to.match(/GET \/openapi\.json 200/);
    });

    it('fails, in one line, when the first /ping is not a MISS (run again: the ping is cached now)', async () => {
      const run = await smokeChecks(service.url);
      expect(run.code).to.equal(1);
      expect(run.lines).to.have.length(1);
      expect(run.lines[0]).to.match(/^smoke: FAIL GET \/ping: 200 with X-Cache HIT, expected 200 MISS/);
    });
  });

  describe('against answers that are wrong in one way each', () => {
    const cases: Array<[string, (answers: Record<string, Answer[]>) => void, RegExp]> = [
      [
        'the second /ping is a MISS again',
        (a) => (a['/ping']![1] = { status: 200, headers: { 'x-cache': 'MISS' }, body: ping(8, 'database') }),
        /GET \/ping again: 200 with X-Cache MISS, expected 200 HIT/,
      ],
      [
        'the HIT serves another ping than the one recorded',
        (a) => (a['/ping']![1] = { status: 200, headers: { 'x-cache': 'HIT' }, body: ping(3, 'cache') }),
        /served ping 3, expected 7/,
      ],
      ['/healthz answers 500', (a) => (a['/healthz'] = [{ status: 500 }]), /GET \/healthz: 500, expected 200/],
      ['/openapi.json is missing', (a) => delete a['/openapi.json'], /GET \/openapi\.json: 404, expected 200/],
      [
        '/openapi.json is not an OpenAPI 3.1 document',
        (a) => (a['/openapi.json'] = [{ status: 200, body: { swagger: '2.0', paths: { '/ping': {} } } }]),
        /not an OpenAPI 3\.1 document/,
      ],
      [
        'the service never turns ready',
        (a) => (a['/readyz'] = [{ status: 503, body: { status: 'starting' } }]),
        /GET \/readyz: not ready within 2s/,
      ],
    ];
    for (const [what, spoil, expected] of cases) {
      it(`fails, in one line, when ${what}`, async () => {
        const answers = rightAnswers();
        spoil(answers);
        const { url, server } = await scriptedServer(answers);
        cleanups.push(() => server.close());
        const run = await smokeChecks(url, { SMOKE_TIMEOUT_SECONDS: '2' });
        expect(run.code, run.stdout).to.equal(1);
        expect(run.lines, run.stderr).to.have.length(1);
        expect(run.lines[0])
          .to.match(/^smoke: FAIL /)
          .and.match(expected);
      });
    }

    it('passes on the right answers (the cases above differ from them in one way only)', async () => {
      const { url, server } = await scriptedServer(rightAnswers());
      cleanups.push(() => server.close());
      const run = await smokeChecks(url);
      expect(run.code, run.stderr).to.equal(0);
    });
  });
});

describe('.ci/smoke-image.sh (runs the image in the build job: docker is not here, so it is read)', () => {
  const script = readText('.ci/smoke-image.sh');

  it('starts the image with settings that production accepts (NODE_ENV=production, as the image sets it)', () => {
    const run = script.slice(script.indexOf('--name "$run-app"'));
    const env = Object.fromEntries(
      [...run.slice(0, run.indexOf('"$image"')).matchAll(/--env\s+"?(\w+)=([^\s"\\]+)/g)].map(([, name, value]) => [
        name!,
        value!,
      ]),
    );
    expect(Object.keys(env), 'the service settings it passes').to.include.members(['POSTGRES_URI', 'REDIS_URI']);
    expect(() => loadConfig({ ...env, NODE_ENV: 'production' })).to.not.throw();
    expect(new URL(env.POSTGRES_URI!).hostname).to.equal('postgres');
    expect(new URL(env.REDIS_URI!).hostname).to.equal('redis');
    expect(script, 'the checks ask the port the image serves on').to.include(`http://app:${appDefaultPort} `);
    expect(script).to.match(/--network-alias postgres\b[\s\S]*\$SMOKE_POSTGRES_IMAGE/);
    expect(script).to.match(/--network-alias redis\b[\s\S]*\$SMOKE_REDIS_IMAGE/);
    expect(script).to.match(/<"\$checks"\s*$/);
  });

  it('is a valid POSIX sh script', async () => {
    const check = spawn('sh', ['-n', join(root, '.ci/smoke-image.sh')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    check.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = await once(check, 'exit');
    expect(code, stderr).to.equal(0);
  });
});
