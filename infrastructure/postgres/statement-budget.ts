import type { Knex } from 'knex';

/**
 * `work` in a transaction whose statements the server cuts past `budgetMs` (null: no budget, the
 * embedded engine). `SET LOCAL` at the start of each transaction is the only way a budget holds
 * through a pooler in transaction mode (pgbouncer): a start-up parameter is refused there, and a
 * session `SET` would stay on whichever server connection ran it, for other clients' transactions.
 */
export function inStatementBudget<T>(
  knex: Knex,
  budgetMs: number | null,
  work: (trx: Knex.Transaction) => Promise<T> | Knex.QueryBuilder,
): Promise<T> {
  return knex.transaction(async (trx) => {
    // SET takes no bind parameters; the value is a validated integer.
    if (budgetMs !== null) await trx.raw(`set local statement_timeout = ${Math.trunc(budgetMs)}`);
    return (await work(trx)) as T;
  });
}
