import type { Knex } from 'knex';
import type { Ping } from '../../domain/ping.js';
import type { PingPageQuery, PingStore } from '../../domain/ping-store.port.js';
import { classifyStoreError } from './classify-store-error.js';

interface PingRow {
  id: string | number;
  created_at: Date;
  note: string | null;
}

const COLUMNS = ['id', 'created_at', 'note'] as const;

/** The pings table through knex: PostgreSQL in production, PGlite embedded. */
export class KnexPingStore implements PingStore {
  constructor(private readonly knex: Knex) {}

  /** One transaction; resolves only after COMMIT, so the caller may acknowledge the ping. */
  async record(note: string | null): Promise<Ping> {
    try {
      const [row] = await this.knex.transaction((trx) =>
        trx<PingRow>('pings')
          .insert({ note })
          .returning([...COLUMNS]),
      );
      if (!row) throw new Error('INSERT ... RETURNING returned no row');
      return toPing(row);
    } catch (error) {
      throw classifyStoreError(error);
    }
  }

  async list({ limit, before }: PingPageQuery): Promise<Ping[]> {
    try {
      const query = this.knex<PingRow>('pings')
        .select(...COLUMNS)
        .orderBy('id', 'desc')
        .limit(limit);
      if (before !== undefined) query.where('id', '<', before);
      return (await query).map(toPing);
    } catch (error) {
      throw classifyStoreError(error);
    }
  }
}

/** node-postgres returns bigint columns as strings (PGlite as numbers): ids are JS numbers here. */
function toPing(row: PingRow): Ping {
  const id = Number(row.id);
  if (!Number.isSafeInteger(id)) throw new RangeError(`ping id ${String(row.id)} is beyond Number.MAX_SAFE_INTEGER`);
  return { id, createdAt: new Date(row.created_at), note: row.note };
}
