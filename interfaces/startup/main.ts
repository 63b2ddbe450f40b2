import type { Logger } from '../../application/logger.port.js';
import { maskUrl, type Config } from '../../infrastructure/config/config.js';
import { buildContainer } from '../../infrastructure/composition/container.js';
import { resolve } from '../../infrastructure/composition/tokens.js';
import { describeDatabase } from '../../infrastructure/postgres/ping-database.js';
import { startSentry } from '../../infrastructure/sentry/sentry-runtime.js';
import { startTracing } from '../../infrastructure/tracing/tracing-runtime.js';
import { startHttpServer, type RunningServer } from './http-server.js';
import { loadConfigOrExit } from './load-config-or-exit.js';
import { reportUnhandledRejections } from './report-unhandled-rejections.js';
import { exitWithStartFailure } from './start-failure.js';

/**
 * The process entry point. Each side effect is a step here, in order: tracing and Sentry, the
 * container (which starts nothing), the process handlers, the adapters and the listener, the
 * signals.
 */
async function main(config: Config): Promise<void> {
  // 1. Tracing, then Sentry (its documentation asks for the tracer provider first): normally
  //    started already by instrument.ts (--import); else imported only now.
  await startTracing(config);
  const sentry = await startSentry(config);
  // 2. The composition root, which picks the Sentry reporter when step 1 started the SDK.
  const container = buildContainer(config);
  const logger = resolve(container, 'Logger');
  if (sentry === 'late') {
    logger.warn('Sentry was not loaded before the app: start with --import ./dist/infrastructure/sentry/instrument.js');
  }
  // 3. The process handler of unhandled rejections.
  reportUnhandledRejections(resolve(container, 'ErrorReporter'));
  // 4. The adapters (migrations, connections), then the listeners (the API's, the metrics').
  const running = await startHttpServer(container, config);
  logger.info(
    {
      port: running.port,
      metricsPort: running.metricsPort,
      host: config.http.host,
      store: describeDatabase(config.postgres),
      cache: describeCache(config.redis),
      sentry: config.sentry.dsn ? 'on' : 'off',
      tracing: describeTracing(config.tracing),
    },
    'ping-service listening',
  );
  if (!config.sentry.dsn) logger.warn('SENTRY_DSN is unset: error reporting to Sentry is off');
  // 5. SIGTERM and SIGINT drain, then exit.
  drainOnSignals(running, logger);
}

function drainOnSignals(running: RunningServer, logger: Logger): void {
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

function describeTracing(tracing: Config['tracing']): string {
  if (!tracing) return 'off (set OTEL_EXPORTER_OTLP_ENDPOINT to export traces)';
  const ratio = tracing.sampler.endsWith('traceidratio') ? ` ${tracing.samplerRatio}` : '';
  return `OTLP ${tracing.protocol} to ${maskUrl(tracing.tracesUrl)}, sampler ${tracing.sampler}${ratio}`;
}

function describeCache({ uri, sentinel }: Config['redis']): string {
  if (sentinel) {
    const sentinels = sentinel.sentinels.map(({ host, port }) => `${host}:${port}`).join(',');
    return `Redis master "${sentinel.masterName}" via sentinels ${sentinels}`;
  }
  return uri ? `Redis at ${maskUrl(uri)}` : 'in-process (set REDIS_URI or REDIS_SENTINELS for Redis)';
}

// Read first, so that the failure line can mask this deployment's secrets.
const config = loadConfigOrExit();
main(config).catch((error: unknown) => exitWithStartFailure('ping-service failed to start', error, config));
