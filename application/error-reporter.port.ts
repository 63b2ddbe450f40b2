/** Where unexpected failures go (Sentry in production). Reporting never throws. */
export interface ErrorReporter {
  report(error: unknown, context?: Readonly<Record<string, string>>): void;
  /** Sends what is queued; resolves false when `timeoutMs` ran out first. */
  flush(timeoutMs: number): Promise<boolean>;
}
