import type { Ping } from './ping.js';

export interface PingPageQuery {
  /** 1..PAGE_LIMIT_MAX (ping.ts) */
  readonly limit: number;
  /** Only pings with an id strictly below this one (keyset pagination). */
  readonly before?: number;
}

/** The durable record of pings. `record` resolves only once the row is committed. */
export interface PingStore {
  record(note: string | null): Promise<Ping>;
  /** Newest first. */
  list(query: PingPageQuery): Promise<Ping[]>;
}
