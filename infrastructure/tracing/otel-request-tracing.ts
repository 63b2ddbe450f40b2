import {
  context,
  defaultTextMapGetter,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_METHOD_ORIGINAL,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
} from '@opentelemetry/semantic-conventions';
import type {
  AnsweredRequest,
  RequestTracing,
  ServerSpan,
  TracedRequest,
} from '../../application/request-tracing.port.js';
import type { SecretMasker } from '../logging/secret-masker.js';
import { recordFailure } from './span-run.js';

/** The methods the HTTP conventions name; any other is `_OTHER`, and its span is named `HTTP`. */
const KNOWN_METHODS = new Set([
  'CONNECT',
  'DELETE',
  'GET',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'POST',
  'PUT',
  'QUERY',
  'TRACE',
]);

/** Response headers recorded as the conventions' `http.response.header.<name>` (string arrays). */
const ATTR_REQUEST_ID = 'http.response.header.x-request-id';
const ATTR_X_CACHE = 'http.response.header.x-cache';

/**
 * The server span of each request, by the HTTP semantic conventions: named `{method} {route}`
 * (`GET /ping`; the method alone when no route matched, so a scan of random paths cannot
 * multiply span names), with the method, path, route and status. An incoming W3C `traceparent`
 * (and `tracestate`) becomes its parent; a malformed one is ignored by the propagator, and the
 * span starts a trace of its own. A 5xx marks it failed; a 4xx does not (the server did its job).
 */
export class OtelRequestTracing implements RequestTracing {
  constructor(
    private readonly tracer: Tracer,
    private readonly masker: SecretMasker,
  ) {}

  trace<T>(request: TracedRequest, handle: (span: ServerSpan) => Promise<T>): Promise<T> {
    const parent = propagation.extract(ROOT_CONTEXT, request.headers, defaultTextMapGetter);
    const known = KNOWN_METHODS.has(request.method);
    const method = known ? request.method : '_OTHER';
    const attributes = {
      [ATTR_HTTP_REQUEST_METHOD]: method,
      [ATTR_URL_PATH]: this.masker.mask(request.path),
      [ATTR_URL_SCHEME]: 'http',
      ...(known ? {} : { [ATTR_HTTP_REQUEST_METHOD_ORIGINAL]: request.method }),
    };
    const name = known ? method : 'HTTP';
    const span = this.tracer.startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
    return context.with(trace.setSpan(parent, span), handle, undefined, new OtelServerSpan(span, name, this.masker));
  }
}

class OtelServerSpan implements ServerSpan {
  readonly traceparent: string;

  constructor(
    private readonly span: Span,
    private readonly name: string,
    private readonly masker: SecretMasker,
  ) {
    const { traceId, spanId, traceFlags } = span.spanContext();
    this.traceparent = `00-${traceId}-${spanId}-${traceFlags.toString(16).padStart(2, '0')}`;
  }

  answered({ status, route, requestId, xCache, error }: AnsweredRequest): void {
    const span = this.span;
    span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
    span.setAttribute(ATTR_REQUEST_ID, [requestId]);
    if (xCache) span.setAttribute(ATTR_X_CACHE, [xCache]);
    if (route !== null) {
      span.setAttribute(ATTR_HTTP_ROUTE, route);
      span.updateName(`${this.name} ${route}`);
    }
    if (status >= 500) {
      if (error === undefined) {
        span.setAttribute(ATTR_ERROR_TYPE, String(status));
        span.setStatus({ code: SpanStatusCode.ERROR });
      } else {
        recordFailure(span, error, this.masker, String(status));
      }
    }
    span.end();
  }
}
