import { z } from 'zod';
import type { CachedPing } from '../../domain/ping-cache.port.js';

/**
 * The stored form of a cached ping. Checked on every read: whatever does not match (another
 * version, a truncated write, a hand-edited key) is treated as a miss, never trusted.
 */
const storedCachedPing = z.object({
  ping: z.object({
    id: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
    createdAt: z.iso.datetime(),
    note: z.string().nullable(),
  }),
  freshUntil: z.number().int().nonnegative(),
});

export function serializeCachedPing(entry: CachedPing): string {
  const stored: z.input<typeof storedCachedPing> = {
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
  const parsed = storedCachedPing.safeParse(json);
  if (!parsed.success) return null;
  const { ping, freshUntil } = parsed.data;
  return { ping: { id: ping.id, createdAt: new Date(ping.createdAt), note: ping.note }, freshUntil };
}
