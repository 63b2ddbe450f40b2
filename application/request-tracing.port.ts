/** What the server span of a request is started from, before the request is handled. */
export interface TracedRequest {
  readonly method: string;
  readonly path: string;
  /** Node's headers (lower-case names): an incoming W3C `traceparent`/`tracestate` is read here. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** What the server span learns once the request is answered. */
export interface AnsweredRequest {
  readonly status: number;
  /** The route template (`/ping`); null when no route matched. */
  readonly route: string | null;
  readonly requestId: string;
  /** The `X-Cache` of a `/ping` answer. */
  readonly xCache: string | undefined;
  /** What a 5xx answer was made of, when something was thrown. */
  readonly error: unknown;
}

export interface ServerSpan {
  /** The W3C `traceparent` of this span, which the answer carries. */
  readonly traceparent: string;
  /** Ends the span with what was answered. */
  answered(answer: AnsweredRequest): void;
}

/**
 * The server span of each request, when tracing is on (the HTTP layer is given none otherwise).
 * `handle` runs with the span active: every span started and every line logged while it runs
 * belongs to the request's trace.
 */
export interface RequestTracing {
  trace<T>(request: TracedRequest, handle: (span: ServerSpan) => Promise<T>): Promise<T>;
}
