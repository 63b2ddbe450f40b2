import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as PgliteModule from '@electric-sql/pglite';
import type { PGlite } from '@electric-sql/pglite';
import knex, { type Knex } from 'knex';
import type ClientPgLiteClass from 'knex-pglite';
import type { Logger } from '../../application/logger.port.js';
import { knexLog } from './knex-log.js';
import { initPgliteDirectory } from './pglite-fresh-directory.js';
import { pgliteOptions } from './pglite-settings.js';

export interface PgliteSettings {
  /** Directory of the database files; created when missing. */
  readonly directory: string;
  readonly acquireTimeoutMs: number;
}

/** The embedded engine's packages are development dependencies: the image leaves them out. */
export class EmbeddedStoreMissingError extends Error {}

type ModuleLoader = (specifier: string) => unknown;

/**
 * Loads PGlite and its knex dialect on first use only, so that a production install
 * (`npm ci --omit=dev`, as in the image) starts without them when POSTGRES_URI is set.
 * `require` rather than `import()`: both packages ship CommonJS (knex-pglite only that, and it
 * requires PGlite's CommonJS build itself, so this loads one copy of PGlite, not two), and the
 * composition root stays synchronous.
 */
export function loadPgliteModules(load: ModuleLoader = createRequire(import.meta.url)) {
  try {
    const { PGlite: PGliteClass } = load('@electric-sql/pglite') as typeof PgliteModule;
    const ClientPgLite = load('knex-pglite') as typeof ClientPgLiteClass;
    return { PGlite: PGliteClass, ClientPgLite };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
    throw new EmbeddedStoreMissingError(
      'POSTGRES_URI is unset and the embedded store is not installed (@electric-sql/pglite and knex-pglite are ' +
        'development dependencies, left out by `npm ci --omit=dev`): set POSTGRES_URI to a PostgreSQL server, ' +
        'or install them with `npm ci`',
      { cause: error },
    );
  }
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
  const { PGlite: PGliteClass, ClientPgLite } = loadPgliteModules();
  mkdirSync(settings.directory, { recursive: true });
  initPgliteDirectory(settings.directory);
  const pglite = new PGliteClass(settings.directory, pgliteOptions(PGliteClass.defaultStartParams));
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
