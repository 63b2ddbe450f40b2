import * as Sentry from '@sentry/node';
import type { Logger } from '../../application/logger.port.js';
import type { ErrorReporter } from '../../application/error-reporter.port.js';

/**
 * The reporter when SENTRY_DSN is set. Each report becomes one Sentry event whose tags are the
 * context (route, method, requestId, dependency, event), and one log line that carries the
 * event id, so a log search leads to the Sentry issue and back. Never throws.
 */
export class SentryErrorReporter implements ErrorReporter {
  constructor(private readonly logger: Logger) {}

  report(error: unknown, context: Readonly<Record<string, string>> = {}): void {
    let sentryEventId: string | undefined;
    try {
      sentryEventId = Sentry.captureException(error, {
        captureContext: { tags: { ...context } },
        // An unhandled rejection escaped every handler; everything else was answered or degraded.
        mechanism: { type: 'ping-service.reporter', handled: context.event !== 'unhandled_rejection' },
      });
    } catch (captureError) {
      this.logger.warn({ err: captureError }, 'Sentry rejected a report');
    }
    this.logger.error({ err: error, ...context, sentryEventId }, 'error reported to Sentry');
  }

  flush(timeoutMs: number): Promise<boolean> {
    return Sentry.flush(timeoutMs).catch(() => false);
  }
}
