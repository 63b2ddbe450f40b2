import { SpanStatusCode, type Attributes, type Span, type SpanKind, type Tracer } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import type { SecretMasker } from '../logging/secret-masker.js';

/**
 * Marks a span failed, as the conventions for recording errors say: status ERROR with the
 * message, `error.type`, and the exception as an event. Messages and stacks leave the process
 * with the span, so they are masked like the logs and Sentry events (URL passwords, this
 * deployment's secrets).
 */
export function recordFailure(span: Span, error: unknown, masker: SecretMasker, errorType?: string): void {
  const name = error instanceof Error ? error.name : typeof error;
  const message = masker.mask(error instanceof Error ? error.message : String(error));
  span.recordException({
    name,
    message,
    ...(error instanceof Error && error.stack ? { stack: masker.mask(error.stack) } : {}),
  });
  span.setAttribute(ATTR_ERROR_TYPE, errorType ?? name);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

/**
 * Runs `work` as the active span `name`: what it starts nests under it, a throw marks it failed
 * and goes on up, and the span ends either way.
 */
export function inSpan<T>(
  tracer: Tracer,
  masker: SecretMasker,
  name: string,
  options: { kind: SpanKind; attributes: Attributes },
  work: (span: Span) => Promise<T>,
  /** Adds what the failure says (a status code) and names its `error.type`; the error's name if not. */
  describeFailure?: (error: unknown, span: Span) => string | undefined,
): Promise<T> {
  return tracer.startActiveSpan(name, options, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      recordFailure(span, error, masker, describeFailure?.(error, span));
      throw error;
    } finally {
      span.end();
    }
  });
}
