import type { ErrorReporter } from '../../application/error-reporter.port.js';
import type { Logger } from '../../application/logger.port.js';
import type { MetricsExposition, RequestMetrics } from '../../application/metrics.port.js';
import type { PingUseCases } from '../../application/ping-use-cases.js';
import type { Readiness } from '../../application/readiness.js';
import type { RequestTracing } from '../../application/request-tracing.port.js';
import type { WriteGuards } from '../../application/write-guards.port.js';
import type { LoadSignal } from './load-signal.js';

/** What the HTTP adapter needs from the rest of the service: use cases and application ports only. */
export interface HttpDependencies {
  readonly pings: PingUseCases;
  readonly readiness: Readiness;
  /** The token check and the per-client limit of `POST /pings`. */
  readonly writes: WriteGuards;
  readonly reporter: ErrorReporter;
  /** The request histogram, and the scrape of the metrics listener. */
  readonly metrics: RequestMetrics & MetricsExposition;
  /** The access log. */
  readonly logger: Logger;
  /** The process's load, for the admission check (unset: never shed by load). */
  readonly load?: LoadSignal;
  /** Set by the drain once the listener has closed. */
  readonly connections?: ConnectionState;
  /** The server span of each request; absent when tracing is off, and then nothing is traced. */
  readonly tracing?: RequestTracing | null;
}

export interface ConnectionState {
  /** The listener has closed: every answer closes its connection. */
  closing: boolean;
}
