import { DomainError, InvalidInputError, StoreOverloadedError, StoreUnavailableError } from '../../domain/errors.js';

export interface ErrorAnswer {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  /** Unexpected: reported and hidden behind a generic message. */
  readonly unexpected: boolean;
  /** When the client may try again (`Retry-After`, seconds): an overload passes quickly. */
  readonly retryAfterSeconds?: number;
}

/** How soon an overloaded instance asks to be tried again: about one breath of the balancer. */
const OVERLOAD_RETRY_AFTER_SECONDS = 1;

/** The answer for work refused because this instance or its store is saturated. */
const OVERLOADED: ErrorAnswer = {
  status: 503,
  code: 'overloaded',
  message: 'the service is overloaded, retry shortly',
  unexpected: false,
  retryAfterSeconds: OVERLOAD_RETRY_AFTER_SECONDS,
};

/** Stable machine-readable codes for the HTTP errors that Koa and its middleware raise. */
const CODE_BY_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  404: 'not_found',
  405: 'method_not_allowed',
  408: 'request_timeout',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  431: 'request_header_fields_too_large',
  501: 'not_implemented',
  503: 'service_unavailable',
};

/** This instance refused a request before doing its work (load shedding). */
class OverloadedError extends Error {}

export function overloadedError(): Error {
  return new OverloadedError('shed: the process is overloaded');
}

/** Maps anything thrown inside the request envelope to the JSON error of the contract. */
export function toErrorAnswer(error: unknown): ErrorAnswer {
  if (error instanceof InvalidInputError) {
    return { status: 400, code: error.code, message: error.message, unexpected: false };
  }
  if (error instanceof StoreUnavailableError) {
    return {
      status: 503,
      code: error.code,
      message: 'the ping store is unavailable, retry shortly',
      unexpected: false,
    };
  }
  if (error instanceof StoreOverloadedError || error instanceof OverloadedError) return OVERLOADED;
  if (error instanceof DomainError) {
    return { status: 500, code: 'internal', message: 'internal error', unexpected: true };
  }
  const http = error as { status?: unknown; expose?: unknown; message?: unknown; code?: unknown };
  if (typeof http.status === 'number' && isExposed(http.status, http.expose)) {
    const code = typeof http.code === 'string' && /^[a-z_]+$/.test(http.code) ? http.code : CODE_BY_STATUS[http.status];
    return {
      status: http.status,
      code: code ?? 'bad_request',
      message: typeof http.message === 'string' ? http.message : 'bad request',
      unexpected: false,
    };
  }
  return { status: 500, code: 'internal', message: 'internal error', unexpected: true };
}

/** A 4xx unless marked hidden, or a 5xx deliberately answered as such (501): not a defect. */
function isExposed(status: number, expose: unknown): boolean {
  if (status >= 400 && status < 500) return expose !== false;
  return status >= 500 && status < 600 && expose === true;
}

/**
 * An error answered as is, with `code` or the code of its status: the request's fault, never
 * reported.
 */
export function exposedHttpError(status: number, message: string, code?: string): Error {
  return Object.assign(new Error(message), { status, expose: true }, code === undefined ? {} : { code });
}
