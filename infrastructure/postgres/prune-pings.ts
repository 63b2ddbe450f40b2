import type { Knex } from 'knex';
import { inStatementBudget } from './statement-budget.js';

/**
 * Rows looked at per batch. Each batch is one short transaction: a range of the primary key, the
 * expired rows of it deleted, well inside the statement budget even on a cold cache. Small enough
 * that a batch never holds its row locks long, large enough that a day of pings is a few hundred
 * round trips.
 */
const BATCH_ROWS = 5_000;

/**
 * After each batch the prune waits as long as the batch took: it never holds the database more
 * than half of its run, so the instances' writes keep their latency while a large backlog (the
 * first prune of a table that has grown for months) is worked off. A daily prune of a day's rows
 * is short either way.
 */
const PAUSE_PER_BATCH_TIME = 1;

export interface PruneSettings {
  /** Rows older than this many days are deleted. */
  readonly retentionDays: number;
  /** Each batch's statement budget (SET LOCAL); null on the embedded engine, which has none. */
  readonly statementTimeoutMs: number | null;
  readonly batchRows?: number;
}

export interface PruneResult {
  readonly removed: number;
  readonly batches: number;
  /** Everything created before this (the database's clock at the start) was eligible. */
  readonly cutoff: Date;
}

/**
 * One batch: the next `batch` rows by primary key after `after`; of those, the ones created
 * before the cutoff are deleted, except the newest row of the table (the one `GET /ping` serves
 * when nothing is cached), so the history is never emptied. Also says where the range ended and
 * whether it held an expired row at all.
 */
const BATCH_SQL = `
with scanned as (
  select id, created_at from pings where id > ? order by id limit ?
), removed as (
  delete from pings
  where id in (select id from scanned where created_at < ?)
    and id < (select max(id) from pings)
  returning id
)
select
  (select max(id) from scanned)::text as last_id,
  (select count(*) from removed)::int as removed,
  (select count(*) from scanned where created_at < ?)::int as expired`;

interface BatchRow {
  last_id: string | null;
  removed: number;
  expired: number;
}

/**
 * Deletes the pings older than the retention, in batches that walk the primary key from the
 * oldest row up: ids grow with time (bigserial, `created_at` the inserting transaction's start),
 * so the expired rows are the first ones, and the walk stops at the first batch without an
 * expired row. No index beyond the primary key is needed, and the walk never passes a batch's
 * dead rows twice. Safe while instances write: they insert above every id this touches, and
 * nothing else updates a ping. Each batch is its own transaction with its own `SET LOCAL`
 * budget, so it works through pgbouncer in transaction mode (no session state).
 *
 * A row whose `created_at` is out of order with its id (inserted by hand, a clock stepped back)
 * is removed once the rows before it have expired, never before its own time.
 */
export async function prunePings(knex: Knex, settings: PruneSettings): Promise<PruneResult> {
  const batchRows = settings.batchRows ?? BATCH_ROWS;
  const cutoffRow = (await knex.raw('select now() - make_interval(days => ?) as cutoff', [settings.retentionDays])) as {
    rows: Array<{ cutoff: Date }>;
  };
  const cutoff = new Date(cutoffRow.rows[0]!.cutoff);
  let after = '0';
  let removed = 0;
  let batches = 0;
  for (;;) {
    const started = performance.now();
    const row = await inStatementBudget(knex, settings.statementTimeoutMs, async (trx) => {
      const result = (await trx.raw(BATCH_SQL, [after, batchRows, cutoff, cutoff])) as { rows: BatchRow[] };
      return result.rows[0]!;
    });
    batches++;
    removed += row.removed;
    if (row.last_id === null || row.expired === 0) return { removed, batches, cutoff };
    after = row.last_id;
    await sleep((performance.now() - started) * PAUSE_PER_BATCH_TIME);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
