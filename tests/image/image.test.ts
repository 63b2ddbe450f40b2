import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import {
  buildah,
  descendants,
  inspectImage,
  requirePrograms,
  run,
  spawnBuildah,
  storageEnv,
  type ImageInspection,
} from '../support/buildah.js';
import { pinnedNodeVersion, root } from '../support/delivery-files.js';
import { freePort } from '../../harness/free-port.js';
import { createScratchDatabase, scratchRedisPrefix, testRedisUri } from '../support/test-servers.js';
import { waitUntil } from '../../harness/wait-until.js';
import { waitUntilReady } from '../../harness/wait-until-ready.js';
import { figures } from '../support/figures.js';

const IMAGE = 'localhost/ping-service:image-test';
const SHUTDOWN_DELAY_MS = 3_000;
const SHUTDOWN_TIMEOUT_MS = 10_000;
const MiB = 1024 * 1024;

/** Bytes under a directory, symlinks counted as themselves (du -sb). */
function bytesUnder(path: string): number {
  return Number(run('du', ['-sb', path]).split('\t')[0]);
}

/**
 * The Dockerfile to build: itself, unless its FROM lines pin digests (Renovate pins them). A
 * digest names the official image's bytes, which no stand-in can have, so then a copy is built
 * whose FROM lines name the tag alone; nothing else differs.
 */
function dockerfileForTheStandIn(cleanups: Array<() => void>): string {
  const text = readFileSync(join(root, 'Dockerfile'), 'utf8');
  const withoutDigests = text.replace(/^(FROM\s+\S+?)@sha256:[0-9a-f]{64}/gim, '$1');
  if (withoutDigests === text) return 'Dockerfile';
  const folder = mkdtempSync(join(tmpdir(), 'ping-service-dockerfile-'));
  cleanups.push(() => rmSync(folder, { recursive: true, force: true }));
  writeFileSync(join(folder, 'Dockerfile'), withoutDigests);
  return join(folder, 'Dockerfile');
}

/** The Dockerfile's npm ci needs the registry: keep this machine's CA for the stand-in's build. */
const buildEnv = { ...process.env, ...storageEnv };

/**
 * The real Dockerfile, built by buildah (chroot isolation: the OCI runtime cannot run here) on a
 * stand-in for node:<.nvmrc>-bookworm-slim (tests/image/stand-in-base.sh), then the image's own
 * Entrypoint + Cmd run with `buildah run --isolation chroot --user <the image's User>` against
 * the test PostgreSQL (a fresh database) and Redis (a fresh key prefix). No PID namespace: the
 * service is a host process, so SIGTERM goes to it directly.
 */
describe(`the image (Dockerfile built with buildah on a stand-in node:${pinnedNodeVersion} base)`, function () {
  this.timeout(30 * 60_000);
  let image: ImageInspection;
  let container = '';
  let mountPoint = '';
  const cleanups: Array<() => Promise<void> | void> = [];

  before(function () {
    requirePrograms(['buildah', 'mmdebstrap']);
    let started = Date.now();
    const base = run('bash', [join(root, 'tests/image/stand-in-base.sh'), pinnedNodeVersion], { env: buildEnv }).trim();
    figures('stand-in base %s: %d s (cached after the first run)', base, Math.round((Date.now() - started) / 1000));
    started = Date.now();
    buildah(
      [
        'bud',
        '--isolation',
        'chroot',
        '--pull=never',
        '--build-arg',
        'SENTRY_RELEASE=image-test',
        '--tag',
        IMAGE,
        '--file',
        dockerfileForTheStandIn(cleanups),
        '.',
      ],
      { cwd: root, env: buildEnv },
    );
    figures('build of the Dockerfile: %d s', Math.round((Date.now() - started) / 1000));
    cleanups.push(() => void buildah(['rmi', '--force', IMAGE]));
    image = inspectImage(IMAGE);
    container = buildah(['from', '--pull=never', IMAGE]);
    cleanups.push(() => void buildah(['rm', container]));
    mountPoint = buildah(['mount', container]);
  });

  after(async function () {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        console.error(`cleanup: ${(error as Error).message}`);
      }
    }
  });

  /** `buildah run` of the image's own command, as its user, with a deployment's variables. */
  function runImage(
    env: Record<string, string>,
    argv = [...(image.config.Entrypoint ?? []), ...(image.config.Cmd ?? [])],
  ) {
    const envFlags = Object.entries(env).flatMap(([name, value]) => ['--env', `${name}=${value}`]);
    return spawnBuildah([
      'run',
      '--isolation',
      'chroot',
      '--user',
      image.config.User!,
      '--workingdir',
      image.config.WorkingDir!,
      ...envFlags,
      container,
      '--',
      ...argv,
    ]);
  }

  it("runs as a numeric non-root user, with node started by the base image's entrypoint", () => {
    expect(image.config.User).to.match(/^[1-9]\d*:\d+$/);
    expect(image.config.Entrypoint).to.deep.equal(['docker-entrypoint.sh']);
    expect(image.config.Cmd?.[0]).to.equal('node');
    expect(image.config.Env).to.include('NODE_ENV=production');
  });

  describe('serving from the real PostgreSQL and Redis', () => {
    let service: ChildProcess;
    let nodePid = 0;
    let exited: Promise<number | null>;
    let baseUrl = '';
    const output: string[] = [];

    before(async () => {
      const database = await createScratchDatabase('ping_image');
      cleanups.push(database.drop);
      const redis = await scratchRedisPrefix('ping-service-image');
      cleanups.push(redis.clear);
      const port = await freePort();
      baseUrl = `http://127.0.0.1:${port}`;
      service = runImage({
        POSTGRES_URI: database.uri,
        REDIS_URI: testRedisUri,
        REDIS_KEY_PREFIX: redis.prefix,
        PORT: String(port),
        METRICS_PORT: String(await freePort()),
        HOST: '127.0.0.1',
        WRITE_TOKENS: 'image-test-token-0123456789',
        SHUTDOWN_DELAY_MS: String(SHUTDOWN_DELAY_MS),
        SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      });
      for (const stream of [service.stdout!, service.stderr!]) stream.on('data', (chunk) => output.push(String(chunk)));
      exited = once(service, 'exit').then(([code]) => code as number | null);
      cleanups.push(async () => {
        if (service.exitCode !== null || service.signalCode !== null) return;
        // Killing buildah alone would leave the service running, orphaned.
        if (nodePid) process.kill(nodePid, 'SIGKILL');
        service.kill('SIGKILL');
        await exited;
      });
      await waitUntilReady(service, `${baseUrl}/readyz`, () => output.join('').slice(-3000), 120_000);
      const node = descendants(service.pid!).filter(({ argv }) => argv[0] === 'node');
      expect(node, JSON.stringify(descendants(service.pid!))).to.have.length(1);
      nodePid = node[0]!.pid;
    });

    it('answers /readyz ready, then GET /ping MISS and HIT', async () => {
      const ready = await fetch(`${baseUrl}/readyz`);
      expect(ready.status).to.equal(200);
      expect(await ready.json()).to.deep.include({ status: 'ready' });
      const first = await fetch(`${baseUrl}/ping`);
      expect([first.status, first.headers.get('x-cache')]).to.deep.equal([200, 'MISS']);
      const second = await fetch(`${baseUrl}/ping`);
      expect([second.status, second.headers.get('x-cache')]).to.deep.equal([200, 'HIT']);
    });

    it('is node itself (exec by the entrypoint) running as the image user, and drains on SIGTERM, exit 0', async () => {
      // The entrypoint (sh) exec'd node with the image's Cmd: no shell in between to eat SIGTERM.
      const argv = readFileSync(`/proc/${nodePid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      expect(argv).to.deep.equal(image.config.Cmd);
      const uid = readFileSync(`/proc/${nodePid}/status`, 'utf8').match(/^Uid:\s+(\d+)/m)![1];
      expect(uid).to.equal(image.config.User!.split(':')[0]);

      process.kill(nodePid, 'SIGTERM');
      // Readiness turns 503 for SHUTDOWN_DELAY_MS while the listener still answers; polled until
      // then, or until the listener is gone (0).
      const seen: number[] = [];
      const readiness = async () => {
        seen.push(
          await fetch(`${baseUrl}/readyz`).then(
            (r) => r.status,
            () => 0,
          ),
        );
        return seen.at(-1) === 503 || seen.at(-1) === 0;
      };
      await waitUntil(readiness, { timeoutMs: SHUTDOWN_DELAY_MS, intervalMs: 20, what: 'readiness 503' }).catch(
        () => undefined, // the assertion below shows what was seen
      );
      expect(seen, 'readiness answers during the drain').to.include(503);
      // The service's own budget to exit, plus 20 s for buildah to tear the run down on a busy machine.
      const budget = SHUTDOWN_DELAY_MS + SHUTDOWN_TIMEOUT_MS;
      const code = await Promise.race([
        exited,
        new Promise((r) => setTimeout(() => r('still running'), budget + 20_000)),
      ]);
      expect(code, output.join('').slice(-3000)).to.equal(0);
    });
  });

  it('without POSTGRES_URI outside production, exits 1 with one line: the embedded store is not installed', async () => {
    const started = runImage({
      NODE_ENV: 'development',
      DATA_DIR: '/tmp/ping-service-data',
      PORT: String(await freePort()),
      METRICS_PORT: String(await freePort()),
    });
    const stderr: string[] = [];
    started.stderr!.on('data', (chunk) => stderr.push(String(chunk)));
    const [code] = await once(started, 'exit');
    // buildah adds its own "subprocess exited with status 1" lines after the service's.
    const lines = stderr
      .join('')
      .split('\n')
      .filter((line) => line && !/subprocess exited|^Error: exit status/.test(line));
    expect(code).to.equal(1);
    expect(lines, stderr.join('')).to.have.length(1);
    expect(lines[0]).to.include('@electric-sql/pglite').and.include('POSTGRES_URI');
  });

  it('keeps /app owned by root and not writable by the image user', () => {
    const notRoot: string[] = [];
    const walk = (path: string) => {
      const stat = lstatSync(path);
      if (stat.uid !== 0 || stat.gid !== 0) notRoot.push(path.slice(mountPoint.length));
      if (stat.isDirectory()) for (const entry of readdirSync(path)) walk(join(path, entry));
    };
    walk(join(mountPoint, 'app'));
    expect(notRoot.slice(0, 10), `${notRoot.length} paths`).to.deep.equal([]);
    const writable = runImage({}, ['find', '/app', '-writable', '-print', '-quit']);
    const found: string[] = [];
    writable.stdout!.on('data', (chunk) => found.push(String(chunk)));
    return once(writable, 'exit').then(([code]) => {
      expect(code).to.equal(0);
      expect(found.join('').trim(), 'writable by the image user').to.equal('');
    });
  });

  it('holds the production dependencies only (none the lockfile marks dev)', () => {
    const lock = JSON.parse(readFileSync(join(mountPoint, 'app/package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const dev = Object.entries(lock.packages).filter(([path, entry]) => path && entry.dev);
    expect(dev.length, 'the lockfile has development packages').to.be.greaterThan(10);
    const present = dev
      .map(([path]) => path)
      .filter((path) => {
        try {
          lstatSync(join(mountPoint, 'app', path));
          return true;
        } catch {
          return false;
        }
      });
    expect(present).to.deep.equal([]);
    for (const name of ['@electric-sql/pglite', 'knex-pglite', 'typescript', 'mocha']) {
      expect(present.concat(readdirSync(join(mountPoint, 'app/node_modules'))), name).to.not.include(name);
    }
  });

  it('has no credential in its history, environment or labels', () => {
    const text = [...image.history, ...(image.config.Env ?? []), ...Object.values(image.labels)].join('\n');
    expect(text).to.not.match(/:\/\/[^/\s:@]+:[^/\s@]+@/); // user:password@ in a URL
    expect(text).to.not.match(/_authToken|NPM_TOKEN|password|secret|Bearer /i);
    for (const name of (image.config.Env ?? []).map((entry) => entry.split('=')[0]!)) {
      expect(name).to.not.match(/TOKEN|PASSWORD|SECRET|_URI$|DSN/);
    }
  });

  it('reports its size', () => {
    const app = join(mountPoint, 'app');
    const modules = join(app, 'node_modules');
    // Apparent bytes (du -sb), what the layers carry; du's disk blocks read more.
    const sizeOf = (path: string) => `${(bytesUnder(path) / MiB).toFixed(0)} MiB`;
    figures(
      `image ${IMAGE}: ${sizeOf(mountPoint)} unpacked; /app ${sizeOf(app)}, node_modules ${sizeOf(modules)}` +
        `, @sentry ${sizeOf(join(modules, '@sentry'))}, @opentelemetry ${sizeOf(join(modules, '@opentelemetry'))}`,
    );
    expect(bytesUnder(app)).to.be.greaterThan(0);
  });
});
