// Types only: PGlite is a development dependency, absent from a production install.
import type { PGliteOptions } from '@electric-sql/pglite';

/**
 * PostgreSQL settings for one small table and one connection, passed at every start (not written
 * to postgresql.conf, so a directory made by an older version gets them too). PGlite's initdb
 * keeps the server defaults, sized for a shared server: the default shared_buffers alone would be
 * most of an idle embedded process, which `npm run bench` holds to a target (docs/performance.md).
 * This size still caches hundreds of thousands of pings; wal_buffers follows it (1/32). Nothing
 * here touches durability.
 */
const PGLITE_SETTINGS = ['shared_buffers=16MB'] as const;

/** `defaultStartParams`: PGlite's own (`PGlite.defaultStartParams`), from the module loaded by the caller. */
export function pgliteOptions(defaultStartParams: readonly string[]): PGliteOptions {
  return { startParams: [...defaultStartParams, ...PGLITE_SETTINGS.flatMap((setting) => ['-c', setting])] };
}
