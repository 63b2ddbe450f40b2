import type { SecretMasker } from '../logging/secret-masker.js';

const FILTERED = '[Filtered]';

/** Keys whose values are credentials whatever they look like (header names, config keys). */
const SECRET_KEYS =
  /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|x-auth-token|password|passwd|secret|cookies|postgres_uri|redis_uri|sentry_dsn)$/i;

/** Beyond this depth nothing is kept: Sentry has normalised events to a few levels already. */
const MAX_DEPTH = 24;

/**
 * Returns a copy of anything bound for Sentry (an event, a breadcrumb, span attributes) with
 * credentials removed: values under secret keys replaced, and every string passed through the
 * masker (URL passwords, secret query parameters, this deployment's literal secrets).
 */
export function scrub<T>(value: T, masker: SecretMasker): T {
  return scrubValue(value, masker, 0, new WeakSet()) as T;
}

function scrubValue(value: unknown, masker: SecretMasker, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return masker.mask(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH || seen.has(value)) return FILTERED;
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, masker, depth + 1, seen));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    copy[key] = SECRET_KEYS.test(key) ? FILTERED : scrubValue(item, masker, depth + 1, seen);
  }
  return copy;
}
