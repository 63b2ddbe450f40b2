/** Base of every error the core raises on purpose; the HTTP layer maps each `code` to a status. */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The caller sent something the policy cannot accept (mapped to 400). */
export class InvalidInputError extends DomainError {
  readonly code = 'invalid_input';
}

/** The durable store could not answer within its budget (mapped to 503). */
export class StoreUnavailableError extends DomainError {
  readonly code = 'store_unavailable';
}

/**
 * The store is healthy but has no capacity left for this call now (its connections are all busy
 * and the queue for them is full or too slow): overload, not an outage. Mapped to a fast 503
 * `overloaded` with `Retry-After`; never counted as the store failing.
 */
export class StoreOverloadedError extends DomainError {
  readonly code = 'overloaded';
}

/** The shared cache could not answer; the policy degrades instead of failing. */
export class CacheUnavailableError extends DomainError {
  readonly code = 'cache_unavailable';
}
