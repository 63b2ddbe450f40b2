import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import knex, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import type { Logger } from '../../application/logger.port.js';
import { knexLog } from './knex-log.js';
import { initPgliteDirectory } from './pglite-fresh-directory.js';
import { pgliteOptions } from './pglite-settings.js';

export interface PgliteSettings {
  /** Directory of the database files; created when missing. */
  readonly directory: string;
  readonly acquireTimeoutMs: number;
}

/**
 * knex over PGlite: PostgreSQL compiled to WebAssembly, running inside this process and keeping
 * its files in a directory. The same SQL and migrations as the server, no server to run. It has
 * exactly one connection (knex-pglite pins the pool to 1), so queries queue, and it has no
 * statement timeout (the engine is single-threaded). One process per directory: two processes
 * opening the same directory corrupt it.
 *
 * Resolves the PGlite instance too, so its owner can close it even if knex never opened it.
 */
export function createPgliteKnex(settings: PgliteSettings, logger: Logger): { knex: Knex; pglite: PGlite } {
  mkdirSync(settings.directory, { recursive: true });
  initPgliteDirectory(settings.directory);
  const pglite = new PGlite(settings.directory, pgliteOptions());
  // A failed start (an unreadable directory) surfaces on the first query, which awaits this too.
  pglite.waitReady.catch(() => {});
  const instance = knex({
    client: ClientPgLite,
    // knex-pglite's documented way to hand it an instance we own; not in knex's typings.
    connection: { pglite } as unknown as Knex.StaticConnectionConfig,
    acquireConnectionTimeout: settings.acquireTimeoutMs,
    log: knexLog(logger),
  });
  return { knex: instance, pglite };
}
