import type { Logger } from '../../application/logger.port.js';
import type { ErrorReporter } from '../../application/error-reporter.port.js';
import type * as SentryErrorReporterModule from './sentry-error-reporter.js';
import type * as SentrySetupModule from './sentry-setup.js';
import type { SentryConfig, SentryStart } from './sentry-setup.js';

/**
 * The one door to @sentry/node, opened only when SENTRY_DSN is set: the SDK and its
 * OpenTelemetry packages are hundreds of modules that a process reporting nowhere should not
 * load. Everything here imports the SDK dynamically; the static imports above are types only and
 * vanish at compile time.
 */
let sdk: { setup: typeof SentrySetupModule; reporter: typeof SentryErrorReporterModule } | null = null;

/**
 * Loads and initialises the SDK once, when a DSN is configured. instrument.ts calls it before the
 * app is imported (as the SDK prescribes for ESM); the entry point calls it again as a fallback,
 * so errors are still reported if the process was started without `--import`.
 */
export async function startSentry(config: SentryConfig): Promise<SentryStart> {
  if (!config.sentry.dsn) return 'off';
  sdk ??= {
    setup: await import('./sentry-setup.js'),
    reporter: await import('./sentry-error-reporter.js'),
  };
  return sdk.setup.initSentry(config);
}

/** The Sentry reporter, or null when the SDK was never started in this process. */
export function sentryReporter(logger: Logger): ErrorReporter | null {
  return sdk ? new sdk.reporter.SentryErrorReporter(logger) : null;
}
