import type { Knex } from 'knex';
import { migrationSource } from './migration-source.js';

export interface MigrationOptions {
  /** How long to keep retrying while another instance holds the migration lock. */
  readonly contentionBudgetMs?: number;
  /** Called before each retry, for a log line. */
  readonly onContention?: (error: unknown) => void;
}

/** Brings the schema up to date; resolves to the names of the migrations it applied (none: already current). */
export async function runMigrations(knex: Knex, options: MigrationOptions = {}): Promise<string[]> {
  const deadline = Date.now() + (options.contentionBudgetMs ?? 60_000);
  for (let attempt = 1; ; attempt++) {
    try {
      const [, applied] = (await knex.migrate.latest({ migrationSource })) as [number, string[]];
      return applied;
    } catch (error) {
      if (!isContention(error) || Date.now() >= deadline) throw error;
      options.onContention?.(error);
      await sleep(Math.min(100 * 2 ** attempt, 2_000) * (0.5 + Math.random() / 2));
    }
  }
}

/**
 * What a replica meets when another one migrates at the same moment: knex's lock is taken
 * (MigrationLocked), or the lock row is held past our statement timeout (57014), or both raced to
 * create knex's own bookkeeping tables on a fresh database (23505 on pg_type, 42P07, or 42710
 * "type ... already exists"). Each clears
 * once the other replica commits, and the retry then finds nothing left to do.
 */
function isContention(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return (
    error.name === 'MigrationLocked' || code === '57014' || code === '23505' || code === '42P07' || code === '42710'
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
