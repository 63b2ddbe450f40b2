import type { Logger } from '../../application/logger.port.js';
import type { ErrorReporter } from '../../application/error-reporter.port.js';

/** The reporter when SENTRY_DSN is unset: failures still reach the logs, nothing leaves the host. */
export class LogErrorReporter implements ErrorReporter {
  constructor(private readonly logger: Logger) {}

  report(error: unknown, context: Readonly<Record<string, string>> = {}): void {
    this.logger.error({ err: error, ...context }, 'error reported (to the logs only: SENTRY_DSN is unset)');
  }

  async flush(): Promise<boolean> {
    return true;
  }
}
