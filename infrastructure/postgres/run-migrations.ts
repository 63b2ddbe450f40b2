import type { Knex } from 'knex';
import { migrationSource } from './migration-source.js';

export interface MigrationOptions {
  /** How long to keep waiting while another instance migrates. */
  readonly contentionBudgetMs?: number;
  /** Called before each wait, for a log line. */
  readonly onContention?: (reason: unknown) => void;
  /**
   * Serialize migrators with a PostgreSQL advisory lock (true for a server). The embedded engine
   * serves one process by construction (its DATA_DIR is locked), so it needs none.
   */
  readonly advisoryLock?: boolean;
}

/**
 * The key of the advisory lock that migrators take turns on: fixed, so every replica and
 * `npm run migrate` agree on it ("ping" in ASCII). Exported for the tests.
 */
export const MIGRATION_LOCK_KEY = 0x70696e67;

/**
 * Brings the schema up to date; resolves to the names of the migrations it applied (none: already
 * current).
 *
 * On PostgreSQL, migrators take turns on an advisory lock held by a connection of their own (not
 * one of the pool's, so PG_POOL_MAX=1 still leaves knex a connection), inside a transaction kept
 * open while knex migrates. A transaction-level lock, because a pooler in transaction mode
 * (pgbouncer) pins a server connection to a client only for the length of a transaction: a
 * session-level lock would stay on whichever server connection took it, and the unlock could run
 * on another. The server releases the lock when the transaction ends, or the session or the
 * client with it, so a replica killed with `kill -9` mid-migration cannot leave it behind. knex's own lock is a row that such a replica does leave set; while we hold the advisory
 * lock no other migrator can be inside, so a set row is a dead one's and is freed before
 * migrating. One migrator at a time also ends the race of fresh replicas creating knex's tables.
 */
export async function runMigrations(knex: Knex, options: MigrationOptions = {}): Promise<string[]> {
  const latest = async () => {
    const [, applied] = (await knex.migrate.latest({ migrationSource })) as [number, string[]];
    return applied;
  };
  if (!options.advisoryLock) return latest();
  const session: unknown = await knex.client.acquireRawConnection();
  try {
    await knex.raw('begin').connection(session);
    await waitForAdvisoryLock(knex, session, options);
    await knex.migrate.forceFreeMigrationsLock({ migrationSource });
    const applied = await latest();
    await knex.raw('commit').connection(session); // releases the lock
    return applied;
  } finally {
    // On failure the transaction (and its lock) ends with the connection.
    await knex.client.destroyRawConnection(session);
  }
}

/**
 * Polls pg_try_advisory_xact_lock rather than blocking in pg_advisory_xact_lock: a wait bounded
 * by our own budget says what it waited for, and no statement outlives the client's read deadline.
 */
async function waitForAdvisoryLock(knex: Knex, session: unknown, options: MigrationOptions): Promise<void> {
  const deadline = Date.now() + (options.contentionBudgetMs ?? 60_000);
  for (let attempt = 1; ; attempt++) {
    const result = (await knex
      .raw('select pg_try_advisory_xact_lock(?) as locked', [MIGRATION_LOCK_KEY])
      .connection(session)) as { rows: Array<{ locked: boolean }> };
    if (result.rows[0]?.locked) return;
    if (Date.now() >= deadline) {
      throw new Error('another instance held the migration lock for the whole contention budget');
    }
    options.onContention?.('another instance is migrating');
    await sleep(Math.min(50 * 2 ** attempt, 1_000) * (0.5 + Math.random() / 2));
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
