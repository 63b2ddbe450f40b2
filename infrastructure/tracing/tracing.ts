import { trace, type Tracer } from '@opentelemetry/api';
import type { TracerProvider } from '@opentelemetry/sdk-trace';
import type { Knex } from 'knex';
import type { RequestTracing } from '../../application/request-tracing.port.js';
import type { PingCache } from '../../domain/ping-cache.port.js';
import type { PingStore } from '../../domain/ping-store.port.js';
import type { RecordLease } from '../../domain/record-lease.port.js';
import type { StepTracer } from '../../domain/step-tracer.port.js';
import type { TracingConfig } from '../config/config.js';
import type { SecretMasker } from '../logging/secret-masker.js';
import { DatabaseSpans, type DatabaseTarget } from './database-spans.js';
import { OtelRequestTracing } from './otel-request-tracing.js';
import { OtelStepTracer } from './otel-step-tracer.js';
import { traceKnexPoolAcquires } from './pool-acquire-spans.js';
import { TracedPingCache, TracedPingStore, TracedRecordLease } from './traced-ports.js';

const NO_TRACE: Readonly<Record<string, string>> = {};

/**
 * Tracing as the composition root uses it, once started (tracing-runtime.ts): the server spans
 * for the HTTP layer, the policy's step spans, the decorators that make each Redis and
 * PostgreSQL call a client span, and the log fields that join a log line to its trace. Every
 * OpenTelemetry import of the service is behind this class, loaded only with tracing on.
 */
export class Tracing {
  readonly requests: RequestTracing;
  readonly steps: StepTracer;
  private readonly tracer: Tracer;

  constructor(
    private readonly provider: TracerProvider,
    private readonly masker: SecretMasker,
    readonly config: TracingConfig,
  ) {
    this.tracer = provider.getTracer('ping-service');
    this.requests = new OtelRequestTracing(this.tracer, masker);
    this.steps = new OtelStepTracer(this.tracer, masker);
  }

  /** pino's mixin: `trace_id` and `span_id` of the span active when a line is written, if any. */
  readonly logFields = (): Readonly<Record<string, string>> => {
    const span = trace.getActiveSpan();
    if (!span) return NO_TRACE;
    const { traceId, spanId } = span.spanContext();
    return { trace_id: traceId, span_id: spanId };
  };

  cache(inner: PingCache, target: DatabaseTarget): PingCache {
    return new TracedPingCache(inner, new DatabaseSpans(this.tracer, this.masker, target));
  }

  lease(inner: RecordLease, target: DatabaseTarget): RecordLease {
    return new TracedRecordLease(inner, new DatabaseSpans(this.tracer, this.masker, target));
  }

  store(inner: PingStore, target: DatabaseTarget): PingStore {
    return new TracedPingStore(inner, new DatabaseSpans(this.tracer, this.masker, target));
  }

  /** Pool acquire spans of the store's knex (PostgreSQL or the embedded engine). */
  watchPool(knex: Knex, poolName: string): void {
    traceKnexPoolAcquires(knex, this.tracer, this.masker, poolName);
  }

  /** Sends the spans still queued; resolves once they are sent or the exporter gave up. */
  flush(): Promise<void> {
    return this.provider.forceFlush();
  }

  /** Flushes, then stops the exporter: the last close of the drain. */
  close(): Promise<void> {
    return this.provider.shutdown();
  }
}
