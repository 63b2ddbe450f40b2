import { SpanKind, trace, type Span, type Tracer } from '@opentelemetry/api';
import { ATTR_DB_SYSTEM_NAME } from '@opentelemetry/semantic-conventions';
import type { Knex } from 'knex';
import type { SecretMasker } from '../logging/secret-masker.js';
import { recordFailure } from './span-run.js';

/** Incubating in the conventions (copied, as their package advises, not imported from there). */
const ATTR_DB_CLIENT_CONNECTION_POOL_NAME = 'db.client.connection.pool.name';

/** The events of tarn's pool (knex's), as its README documents them. */
interface TarnPool {
  on(event: 'acquireRequest', listener: (eventId: number) => void): void;
  on(event: 'acquireSuccess' | 'acquireFail', listener: (eventId: number, result: unknown) => void): void;
}

function isTarnPool(pool: unknown): pool is TarnPool {
  return typeof (pool as Partial<TarnPool> | undefined)?.on === 'function';
}

/**
 * A `pool acquire` span for each connection a traced store call waits for: the time a request
 * spends queued for one of the PG_POOL_MAX connections (or the embedded engine's one), which a
 * busy pool makes the largest part of a slow insert. tarn emits the request synchronously inside
 * knex's acquire, in the caller's context, so the span nests under the store call's span. An
 * acquire outside any trace (migrations, readiness probes) gets none: it would only be a root
 * span of its own.
 */
export function traceKnexPoolAcquires(knex: Knex, tracer: Tracer, masker: SecretMasker, poolName: string): void {
  const pool = (knex.client as { pool?: unknown }).pool;
  if (!isTarnPool(pool)) return;
  const attributes = { [ATTR_DB_SYSTEM_NAME]: 'postgresql', [ATTR_DB_CLIENT_CONNECTION_POOL_NAME]: poolName };
  const waiting = new Map<number, Span>();
  pool.on('acquireRequest', (eventId) => {
    if (!trace.getActiveSpan()) return;
    waiting.set(eventId, tracer.startSpan('pool acquire', { kind: SpanKind.INTERNAL, attributes }));
  });
  pool.on('acquireSuccess', (eventId) => {
    waiting.get(eventId)?.end();
    waiting.delete(eventId);
  });
  pool.on('acquireFail', (eventId, error) => {
    const span = waiting.get(eventId);
    if (!span) return;
    recordFailure(span, error, masker);
    span.end();
    waiting.delete(eventId);
  });
}
