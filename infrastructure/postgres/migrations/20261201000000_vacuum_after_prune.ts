import type { Knex } from 'knex';

/**
 * Retention (`npm run prune`) deletes a day's pings at a time: a few percent of the table, far
 * below autovacuum's default trigger (a fifth of the table dead). The dead rows would pile up for
 * days, and the next prune's first batch would walk their index entries before reaching a live
 * one. Vacuumed once 10 000 rows are dead instead (the table is otherwise insert-only, so only a
 * prune gets it there). A storage parameter: no rewrite, and its lock blocks no read or write.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('alter table pings set (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 10000)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table pings reset (autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold)');
}
