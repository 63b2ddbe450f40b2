import type { Knex } from 'knex';
import * as createPings from './migrations/20260101000000_create_pings.js';
import * as vacuumAfterPrune from './migrations/20261201000000_vacuum_after_prune.js';

/**
 * Every migration, in order. Imported rather than globbed from a directory, so they run the same
 * under tsx (tests, `npm run dev`) and from the compiled `dist/` (production), whatever the file
 * extension. A new migration is a new module here; never rename or edit one that has shipped
 * (knex records the names it applied and refuses a list that lost one).
 *
 * Migrations run in one transaction on the service's pool, where the client gives up on any
 * statement past the read deadline (create-pg-knex.ts): one that may run longer (an index on a
 * big table) cannot run here, and belongs in a job of its own.
 */
const MIGRATIONS: ReadonlyArray<readonly [name: string, migration: Knex.Migration]> = [
  ['20260101000000_create_pings', createPings],
  ['20261201000000_vacuum_after_prune', vacuumAfterPrune],
];

export const migrationSource: Knex.MigrationSource<string> = {
  async getMigrations() {
    return MIGRATIONS.map(([name]) => name);
  },
  getMigrationName(name) {
    return name;
  },
  async getMigration(name) {
    const found = MIGRATIONS.find(([candidate]) => candidate === name);
    if (!found) throw new Error(`unknown migration ${name}`);
    return found[1];
  },
};
