/**
 * How long the store may cost a request, whichever PostgreSQL is behind it. A pooled connection
 * within a second, or the store is saturated or unreachable; a statement within two, or the
 * server cancels it (57014) and the request answers 503 or STALE. Both stay well inside the
 * probes' and the ingress's timeouts, so a request never outlives its client.
 */
export const POSTGRES_BUDGETS = { acquireTimeoutMs: 1_000, statementTimeoutMs: 2_000 } as const;
