/**
 * The service with three failures built in, for the Sentry ingest test. Run in a child process
 * like production, with the instrumentation loaded first:
 *   node --import tsx --import ./infrastructure/sentry/instrument.ts tests/support/sentry-test-service.ts
 * It composes the real container and HTTP server (in-memory store, so no database is touched)
 * and changes only what it must to fail, with the configured URIs in every error message, so
 * the test can see whether a password survives the trip to Sentry:
 * - GET /ping throws a TypeError (an unexpected error: a 500, reported with route and request id);
 * - the shared cache fails (a dependency failure: reported once by the dependency monitor);
 * - SIGUSR2 leaves a promise rejected with nobody listening (an unhandled rejection);
 * - SIGHUP throws outside any request (an uncaught exception: fatal, the process exits).
 */
import type { PingUseCases } from '../../application/ping-use-cases.js';
import type { PingCache } from '../../domain/ping-cache.port.js';
import { SystemClock } from '../../infrastructure/clock/system-clock.js';
import { loadConfig } from '../../infrastructure/config/config.js';
import { buildContainer } from '../../infrastructure/composition/container.js';
import { resolve } from '../../infrastructure/composition/tokens.js';
import { MemoryPingStore } from '../../infrastructure/memory/memory-ping-store.js';
import { startHttpServer } from '../../interfaces/startup/http-server.js';
import { reportUnhandledRejections } from '../../interfaces/startup/report-unhandled-rejections.js';

const config = loadConfig(process.env);
const where = `${config.postgres.uri ?? 'no store URI'} and ${config.redis.uri ?? 'no cache URI'}`;

const failingCache: PingCache = {
  get: () => Promise.reject(new Error(`cache unreachable at ${config.redis.uri}`)),
  set: () => Promise.reject(new Error(`cache unreachable at ${config.redis.uri}`)),
};
const container = buildContainer(config, {
  RawPingStore: new MemoryPingStore(new SystemClock()),
  SharedPingCache: failingCache,
  ReadinessChecks: [{ name: 'store', check: async () => {} }],
});
const logger = resolve(container, 'Logger');
reportUnhandledRejections(resolve(container, 'ErrorReporter'));

const pings = resolve(container, 'PingUseCases');
const brokenPings = Object.assign(Object.create(pings) as PingUseCases, {
  getLastPing: async () => {
    throw new TypeError(`cannot read the last ping from ${where}`);
  },
});

const running = await startHttpServer(
  container,
  { http: { ...config.http, metricsPort: 0, host: '127.0.0.1' }, shutdown: { delayMs: 0, timeoutMs: 5_000 } },
  { pings: brokenPings },
);
logger.info({ port: running.port }, 'sentry test service listening');

process.on('SIGUSR2', () => {
  void Promise.reject(new RangeError(`stray rejection while talking to ${where}`));
});
process.on('SIGHUP', () => {
  setImmediate(() => {
    throw new SyntaxError(`fatal while talking to ${where}`);
  });
});
process.once('SIGTERM', () => {
  void running.shutdown().then((inTime) => process.exit(inTime ? 0 : 1));
});
