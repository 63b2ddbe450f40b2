import type { Knex } from 'knex';

/** The durable record of pings: ids are bigserial, so keyset pagination by id is newest-first. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('pings', (table) => {
    table.bigIncrements('id').primary();
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.text('note').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('pings');
}
