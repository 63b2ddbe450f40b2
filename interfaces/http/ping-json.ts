import type { PingResult } from '../../domain/ping-service.js';
import type { Ping } from '../../domain/ping.js';

export interface PingJson {
  id: number;
  createdAt: string;
  note: string | null;
}

export const PING_MESSAGE = 'Ping received and processed.';

export function toPingJson(ping: Ping): PingJson {
  return { id: ping.id, createdAt: ping.createdAt.toISOString(), note: ping.note };
}

/**
 * The serialised GET /ping answer, per ping and source. Pings are immutable and the caches hand
 * back the same object until the entry changes, so a HIT reuses the string instead of building
 * and stringifying the same JSON thousands of times per second.
 */
const answers = new WeakMap<Ping, Partial<Record<PingResult['source'], string>>>();

export function lastPingAnswerJson(result: PingResult): string {
  let bySource = answers.get(result.ping);
  if (!bySource) answers.set(result.ping, (bySource = {}));
  return (bySource[result.source] ??= JSON.stringify({
    message: PING_MESSAGE,
    source: result.source,
    ping: toPingJson(result.ping),
  }));
}
