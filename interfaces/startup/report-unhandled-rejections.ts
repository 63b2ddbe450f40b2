import type { ErrorReporter } from '../../application/error-reporter.port.js';

/**
 * The one handler of unhandled rejections: each is reported (and logged) through the reporter.
 * Sentry's own handler for them is left out of its integrations, so none is reported twice.
 * The process keeps serving: a stray promise is a bug to fix, not a reason to drop every request.
 */
export function reportUnhandledRejections(reporter: ErrorReporter): void {
  process.on('unhandledRejection', (reason) => reporter.report(reason, { event: 'unhandled_rejection' }));
}
