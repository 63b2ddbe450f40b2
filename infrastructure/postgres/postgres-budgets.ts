/**
 * How long the store may cost a request, whichever PostgreSQL is behind it. A pooled connection
 * within a second, or the store is saturated or unreachable; a statement within two, or the
 * server cancels it (57014) and the request answers 503 or STALE. Both stay well inside the
 * probes' and the ingress's timeouts, so a request never outlives its client.
 */
export const POSTGRES_BUDGETS = { acquireTimeoutMs: 1_000, statementTimeoutMs: 2_000 } as const;

/**
 * Margin of the client-side read deadline over the server-side statement timeout: the server
 * gets the first word (a clean 57014, the connection stays usable); the client-side deadline
 * only fires when the server's answer cannot arrive at all (a black-holed connection).
 */
export const READ_DEADLINE_MARGIN_MS = 1_000;
