import type { Knex } from 'knex';
import type { Ping } from '../../domain/ping.js';
import type { PingPageQuery, PingStore } from '../../domain/ping-store.port.js';
import { classifyStoreError } from './classify-store-error.js';
import { inStatementBudget } from './statement-budget.js';

interface PingRow {
  id: string | number;
  created_at: Date;
  note: string | null;
}

const COLUMNS = ['id', 'created_at', 'note'] as const;

/**
 * The pings table through knex: PostgreSQL in production, PGlite embedded.
 *
 * `statementTimeoutMs` (null: none, the embedded engine) is set with `SET LOCAL` at the start of
 * each transaction (statement-budget.ts: the only way a budget holds through pgbouncer).
 */
export class KnexPingStore implements PingStore {
  constructor(
    private readonly knex: Knex,
    private readonly statementTimeoutMs: number | null = null,
  ) {}

  /** One transaction; resolves only after COMMIT, so the caller may acknowledge the ping. */
  async record(note: string | null): Promise<Ping> {
    try {
      const [row] = await this.inBudget((trx) =>
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
      const page = (db: Knex) => {
        const query = db<PingRow>('pings')
          .select(...COLUMNS)
          .orderBy('id', 'desc')
          .limit(limit);
        return before === undefined ? query : query.where('id', '<', before);
      };
      // A read needs a transaction only to carry the statement budget (SET LOCAL).
      const rows = await (this.statementTimeoutMs === null ? page(this.knex) : this.inBudget(page));
      return rows.map(toPing);
    } catch (error) {
      throw classifyStoreError(error);
    }
  }

  /** `work` in a transaction whose statements are each cut by the server past the budget. */
  private inBudget<T>(work: (trx: Knex.Transaction) => Promise<T> | Knex.QueryBuilder): Promise<T> {
    return inStatementBudget(this.knex, this.statementTimeoutMs, work);
  }
}

/** node-postgres returns bigint columns as strings (PGlite as numbers): ids are JS numbers here. */
function toPing(row: PingRow): Ping {
  const id = Number(row.id);
  if (!Number.isSafeInteger(id)) throw new RangeError(`ping id ${String(row.id)} is beyond Number.MAX_SAFE_INTEGER`);
  return { id, createdAt: new Date(row.created_at), note: row.note };
}
