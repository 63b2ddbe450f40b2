import { TOKENS } from '../application/tokens.js';
import type { Logger } from '../application/logger.port.js';
import type { ErrorReporter } from '../domain/error-reporter.port.js';
import { maskUrl, type Config } from '../infrastructure/config/config.js';
import { loadConfigOrExit } from './load-config-or-exit.js';
import { buildContainer } from '../infrastructure/container.js';
import { describeDatabase } from '../infrastructure/postgres/ping-database.js';
import { startSentry } from '../infrastructure/sentry/sentry-runtime.js';
import { startHttpServer } from './http-server.js';
import { reportUnhandledRejections } from './report-unhandled-rejections.js';
import { exitWithStartFailure } from './start-failure.js';

/** The process entry point: composition, listening, and a clean exit on signals. */
async function main(config: Config): Promise<void> {
  // Normally done already by instrument.ts (--import); a fallback that imports the SDK only now.
  const sentry = await startSentry(config);

  const container = buildContainer(config);
  const logger = container.get<Logger>(TOKENS.Logger);
  if (sentry === 'late') {
    logger.warn('Sentry was not loaded before the app: start with --import ./dist/infrastructure/sentry/instrument.js');
  }
  const reporter = container.get<ErrorReporter>(TOKENS.ErrorReporter);
  reportUnhandledRejections(reporter);

  const running = await startHttpServer(container, {
    port: config.http.port,
    host: config.http.host,
    shutdownDelayMs: config.shutdown.delayMs,
    shutdownTimeoutMs: config.shutdown.timeoutMs,
  });
  logger.info(
    {
      port: running.port,
      host: config.http.host,
      store: describeDatabase(config.postgres),
      cache: describeCache(config.redis),
      sentry: config.sentry.dsn ? 'on' : 'off',
    },
    'ping-service listening',
  );
  if (!config.sentry.dsn) logger.warn('SENTRY_DSN is unset: error reporting to Sentry is off');

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'signal received');
      running.shutdown().then(
        (inTime) => process.exit(inTime ? 0 : 1),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
}

// Read first, so that the failure line can mask this deployment's secrets.
const config = loadConfigOrExit();
main(config).catch((error: unknown) => exitWithStartFailure('ping-service failed to start', error, config));

function describeCache({ uri, sentinel }: Config['redis']): string {
  if (sentinel) {
    const sentinels = sentinel.sentinels.map(({ host, port }) => `${host}:${port}`).join(',');
    return `Redis master "${sentinel.masterName}" via sentinels ${sentinels}`;
  }
  return uri ? `Redis at ${maskUrl(uri)}` : 'in-process (set REDIS_URI or REDIS_SENTINELS for Redis)';
}
