import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import {
  dockerfileStages,
  execFormCmd,
  fileExists,
  packParts,
  root,
  runCommands,
  stageEnv,
  type DockerStage,
} from '../support/delivery-files.js';
import { FakeSentryIngest } from '../../harness/fake-sentry-ingest.js';
import { freePort } from '../../harness/free-port.js';
import { waitUntilReady } from '../../harness/wait-until-ready.js';
import { createScratchDatabase, scratchRedisPrefix } from '../support/test-servers.js';

/** Labels that Prometheus or the ServiceMonitor add to every series; the app does not emit them. */
const TARGET_LABELS = new Set(['namespace', 'pod', 'job', 'instance', 'service', 'container']);

/**
 * What the image's final stage does, without Docker: the build output, package.json and the
 * lockfile in an empty folder, the final stage's own `npm ci` (production dependencies only),
 * then the Dockerfile's CMD with NODE_ENV=production against the test servers. A runtime import
 * of a devDependency, or a file the build does not emit, fails here.
 */
describe('production smoke test (the final stage, rebuilt in a temporary folder)', function () {
  this.timeout(240_000);
  const finalStage = dockerfileStages().at(-1) as DockerStage;
  let folder = '';
  let child: ChildProcess | null = null;
  let exited: Promise<number | null> = Promise.resolve(null);
  let baseUrl = '';
  let metricsUrl = '';
  const stderr: string[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  let database: Awaited<ReturnType<typeof createScratchDatabase>>;
  let redis: Awaited<ReturnType<typeof scratchRedisPrefix>>;
  let serviceEnv: NodeJS.ProcessEnv = {};

  before(async function () {
    const argv = execFormCmd(finalStage);
    if (!argv) throw new Error('the Dockerfile has no exec-form CMD to start');
    const preload = argv.includes('--import') ? argv[argv.indexOf('--import') + 1] : undefined;
    if (preload && !fileExists(preload.replace(/^(\.\/)?dist\//, '').replace(/\.js$/, '.ts'))) {
      throw new Error(`the CMD preloads ${preload}, whose source does not exist yet: nothing to start`);
    }

    folder = mkdtempSync(join(tmpdir(), 'ping-service-final-stage-'));
    cleanups.push(async () => rmSync(folder, { recursive: true, force: true }));
    // The build stage's `npm run build`, emitting into the temporary folder.
    run('npm', ['run', 'build'], root, { ...process.env, BUILD_OUT_DIR: join(folder, 'dist') });
    for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(root, file), join(folder, file));
    // The final stage's own install command (its `npm ci` part; the cache stays untouched).
    const install = runCommands(finalStage)
      .flatMap((command) => command.split('&&').map((part) => part.trim()))
      .find((part) => /^npm ci\b/.test(part));
    if (!install) throw new Error('the final stage has no `npm ci`');
    run('sh', ['-c', `${install} --prefer-offline`], folder, { ...process.env, ...stageEnv(finalStage) });

    database = await createScratchDatabase('ping_smoke');
    cleanups.push(database.drop);
    redis = await scratchRedisPrefix('ping-service-smoke');
    cleanups.push(redis.clear);

    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    const metricsPort = await freePort();
    metricsUrl = `http://127.0.0.1:${metricsPort}`;
    // A container's environment: the image's ENV plus the deployment's, nothing from this shell.
    serviceEnv = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      ...stageEnv(finalStage),
      NODE_ENV: 'production',
      POSTGRES_URI: database.uri,
      REDIS_URI: `${process.env.TEST_REDIS_URI || 'redis://127.0.0.1:6379'}`,
      REDIS_KEY_PREFIX: redis.prefix,
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
      HOST: '127.0.0.1',
      SHUTDOWN_DELAY_MS: '0',
      LOG_LEVEL: 'warn',
      // Production refuses open writes unless they are declared; this one takes tokens.
      WRITE_TOKENS: 'smoke-test-token-0123456789',
    };
    const [command, ...args] = argv;
    expect(command).to.equal('node');
    child = spawn(process.execPath, args, { cwd: folder, env: serviceEnv, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
    exited = once(child, 'exit').then(([code]) => code as number | null);
    await waitUntilReady(child, `${baseUrl}/readyz`, () => stderr.join(''), 60_000);
  });

  after(async function () {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  });

  it('answers 200 on /readyz with the store up', async () => {
    const response = await fetch(`${baseUrl}/readyz`);
    expect(response.status).to.equal(200);
    expect(await response.json()).to.deep.include({ status: 'ready' });
  });

  it('answers 200 on /ping, then serves it from the cache', async () => {
    const first = await fetch(`${baseUrl}/ping`);
    expect(first.status).to.equal(200);
    expect(await first.json()).to.deep.include({ message: 'Ping received and processed.' });
    const second = await fetch(`${baseUrl}/ping`);
    expect(second.status).to.equal(200);
    expect(second.headers.get('x-cache')).to.equal('HIT');
  });

  it('used the PostgreSQL and Redis it was given (production has no embedded fallback)', async () => {
    const rows = await database.query('SELECT count(*)::int AS count FROM pings');
    expect(rows.rows[0].count, 'pings recorded in the scratch database').to.be.at.least(1);
    const keys = await redis.keys();
    expect(
      keys.some((key) => key.endsWith('last_ping')),
      keys.join(', '),
    ).to.equal(true);
  });

  it("serves /metrics on METRICS_PORT with the series the Pack's alert rules query, and 404 on the API port", async () => {
    expect((await fetch(`${baseUrl}/metrics`)).status).to.equal(404);
    const response = await fetch(`${metricsUrl}/metrics`);
    expect(response.status).to.equal(200);
    const text = await response.text();
    const rules = packParts().gonbad.prometheusRule.rules as Array<{ expr: string }>;
    const selectors = rules.flatMap((rule) => [...rule.expr.matchAll(/([a-zA-Z_:][\w:]*)\{([^}]*)\}/g)]);
    const appSeries = selectors.filter(([, name]) => !/^(up|absent|kube_\w+)$/.test(name!));
    expect(appSeries.length, 'the alert rules query at least one series of the service').to.be.greaterThan(0);
    for (const [, name, matchers] of appSeries) {
      const samples = text.split('\n').filter((line) => line.startsWith(`${name}{`));
      expect(samples.length, `${name} in /metrics`).to.be.greaterThan(0);
      for (const label of [...matchers!.matchAll(/(\w+)\s*[=!]~?/g)].map((m) => m[1]!)) {
        if (TARGET_LABELS.has(label)) continue;
        expect(
          samples.some((line) => line.includes(`${label}="`)),
          `${name} has a ${label} label`,
        ).to.equal(true);
      }
    }
  });

  // The embedded store is a development convenience: its packages are not in the production
  // install, and starting without POSTGRES_URI there must say so, not print a stack trace.
  it('leaves PGlite out, and without POSTGRES_URI exits 1 with one line saying what is missing', async () => {
    expect(readdirSync(join(folder, 'node_modules'))).to.not.include.members(['@electric-sql', 'knex-pglite']);
    const dataDir = mkdtempSync(join(tmpdir(), 'ping-service-no-pglite-'));
    try {
      const argv = execFormCmd(finalStage)!;
      const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', ...stageEnv(finalStage), NODE_ENV: 'development' };
      const started = spawnSync(process.execPath, argv.slice(1), {
        cwd: folder,
        env: {
          ...env,
          DATA_DIR: dataDir,
          PORT: String(await freePort()),
          METRICS_PORT: String(await freePort()),
          LOG_LEVEL: 'silent',
        },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(started.status, started.stderr).to.equal(1);
      const lines = started.stderr.trim().split('\n');
      expect(lines, started.stderr).to.have.length(1);
      for (const part of ['POSTGRES_URI', '@electric-sql/pglite', 'npm ci']) expect(lines[0]).to.include(part);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('serves without loading a native addon it never uses', async () => {
    // The one native addon in the dependencies locks the embedded store's DATA_DIR: loaded on
    // the first lock only (infrastructure/embedded/data-dir-lock.ts).
    const loaded = join(folder, 'loaded-internals.txt');
    const service = await startAnother('record-loaded-internals.mjs', { LOADED_INTERNALS_FILE: loaded });
    try {
      for (const path of ['/ping', '/ping', '/pings?limit=1']) {
        expect((await fetch(`${service.url}${path}`)).status, path).to.equal(200);
      }
      expect((await fetch(`${service.metricsUrl}/metrics`)).status).to.equal(200);
      service.child.kill('SIGUSR2');
      const deadline = Date.now() + 5_000;
      while (!existsSync(loaded) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const internals = readFileSync(loaded, 'utf8').split('\n');
      expect(internals, 'what the process loaded').to.include('NativeModule http');
      const sharedObjects = internals.filter((line) => line.startsWith('SharedObject '));
      expect(sharedObjects, 'the shared libraries were listed').to.not.deep.equal([]);
      expect(sharedObjects.filter((line) => line.endsWith('.node'))).to.deep.equal([]);
    } finally {
      await service.stop();
      rmSync(loaded, { force: true });
    }
  });

  it("with SENTRY_DSN, reports a defect through the published SDK, loaded from the final stage's own node_modules", async () => {
    const ingest = await FakeSentryIngest.start();
    const imports = join(folder, 'sentry-imports.txt');
    const reporting = await startAnother('record-sentry-imports.mjs', {
      SENTRY_DSN: ingest.dsn,
      SENTRY_IMPORTS_FILE: imports,
    });
    try {
      // A table missing under a running service is a defect (500), reported with its stack.
      await database.query('ALTER TABLE pings RENAME TO pings_away');
      try {
        expect((await fetch(`${reporting.url}/pings?limit=1`)).status).to.equal(500);
      } finally {
        await database.query('ALTER TABLE pings_away RENAME TO pings');
      }
      const deadline = Date.now() + 10_000;
      while (ingest.events().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const [event] = ingest.events();
      expect(event?.sdk?.name).to.equal('sentry.javascript.node');
      expect(JSON.stringify(event?.exception)).to.include('pings');
      const resolved = readFileSync(imports, 'utf8').trim().split('\n');
      expect(resolved, '@sentry modules resolved').to.include(
        pathToFileURL(join(folder, 'node_modules/@sentry/node/build/esm/index.js')).href,
      );
      for (const url of resolved) expect(url.startsWith(pathToFileURL(folder).href), url).to.equal(true);
    } finally {
      await reporting.stop();
      rmSync(imports, { force: true });
      await ingest.close();
    }
  });

  it('runs `npm run prune` as the CronJob does (node and the built script, no build step): exit 0, the count', () => {
    const script = (
      JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts.prune!;
    const [node, ...args] = script.split(' ');
    expect(node).to.equal('node');
    const run = spawnSync(process.execPath, args, {
      cwd: folder,
      env: { ...serviceEnv, LOG_LEVEL: 'info' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/"removed":0,/);
  });

  it('exits with code 0 on SIGTERM, having written nothing beside its code (read-only root is fine)', async () => {
    child!.kill('SIGTERM');
    expect(await exited, stderr.join('')).to.equal(0);
    expect(readdirSync(folder).sort()).to.deep.equal(['dist', 'node_modules', 'package-lock.json', 'package.json']);
  });

  /**
   * A second process of the final stage, beside the main one: the CMD with a test preload
   * (tests/support/<preload>) and more environment, ready when it returns.
   */
  async function startAnother(preload: string, env: NodeJS.ProcessEnv) {
    const url = `http://127.0.0.1:${await freePort()}`;
    const metricsUrl = `http://127.0.0.1:${await freePort()}`;
    const ports = { PORT: new URL(url).port, METRICS_PORT: new URL(metricsUrl).port };
    const child = spawn(
      process.execPath,
      ['--import', join(root, 'tests/support', preload), ...execFormCmd(finalStage)!.slice(1)],
      { cwd: folder, env: { ...serviceEnv, ...ports, ...env }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const output: string[] = [];
    child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    await waitUntilReady(child, `${url}/readyz`, () => output.join(''), 60_000);
    return {
      child,
      url,
      metricsUrl,
      async stop(): Promise<void> {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGKILL');
          await once(child, 'exit');
        }
      },
    };
  }
});

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): void {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8' });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
    throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.error?.message}):\n${output}`);
  }
}
