import type { PingOutcome, PingResult } from '../../domain/ping-service.js';
import type { Ping } from '../../domain/ping.js';

export interface PingJson {
  id: number;
  createdAt: string;
  note: string | null;
}

const PING_MESSAGE = 'Ping received and processed.';

export function toPingJson(ping: Ping): PingJson {
  return { id: ping.id, createdAt: ping.createdAt.toISOString(), note: ping.note };
}

/** The public spellings of a GET /ping outcome: the `X-Cache` header and the JSON `source`. */
type XCache = 'HIT' | 'MISS' | 'STALE' | 'BYPASS';
type Source = 'cache' | 'database' | 'stale';

const PUBLIC_OUTCOME: Readonly<Record<PingOutcome, { readonly xCache: XCache; readonly source: Source }>> = {
  cached: { xCache: 'HIT', source: 'cache' },
  'cached-locally': { xCache: 'BYPASS', source: 'cache' },
  recorded: { xCache: 'MISS', source: 'database' },
  'recorded-locally': { xCache: 'BYPASS', source: 'database' },
  stale: { xCache: 'STALE', source: 'stale' },
};

export function xCacheHeader(outcome: PingOutcome): XCache {
  return PUBLIC_OUTCOME[outcome].xCache;
}

/**
 * The serialised GET /ping answer, per ping and source. Pings are immutable and the caches hand
 * back the same object until the entry changes, so a HIT reuses the string instead of building
 * and stringifying the same JSON thousands of times per second.
 */
const answers = new WeakMap<Ping, Partial<Record<Source, string>>>();

export function lastPingAnswerJson(result: PingResult): string {
  const { source } = PUBLIC_OUTCOME[result.outcome];
  let bySource = answers.get(result.ping);
  if (!bySource) answers.set(result.ping, (bySource = {}));
  return (bySource[source] ??= JSON.stringify({ message: PING_MESSAGE, source, ping: toPingJson(result.ping) }));
}
