import * as v from 'valibot';
import type { CachedPing } from '../../domain/ping-cache.port.js';

/**
 * The stored form of a cached ping. Checked on every read: whatever does not match (another
 * version, a truncated write, a hand-edited key) is treated as a miss, never trusted.
 */
const storedCachedPing = v.object({
  ping: v.object({
    id: v.pipe(v.number(), v.safeInteger(), v.minValue(1)),
    createdAt: v.pipe(v.string(), v.isoTimestamp()),
    note: v.nullable(v.string()),
  }),
  freshUntil: v.pipe(v.number(), v.safeInteger(), v.minValue(0)),
});

export function serializeCachedPing(entry: CachedPing): string {
  const stored: v.InferInput<typeof storedCachedPing> = {
    ping: { id: entry.ping.id, createdAt: entry.ping.createdAt.toISOString(), note: entry.ping.note },
    freshUntil: entry.freshUntil,
  };
  return JSON.stringify(stored);
}

/** null when `raw` is not a cached ping of this version. */
export function parseCachedPing(raw: string): CachedPing | null {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return null;
  }
  const parsed = v.safeParse(storedCachedPing, json);
  if (!parsed.success) return null;
  const { ping, freshUntil } = parsed.output;
  return { ping: { id: ping.id, createdAt: new Date(ping.createdAt), note: ping.note }, freshUntil };
}
