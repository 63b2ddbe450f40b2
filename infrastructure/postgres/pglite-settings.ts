// Types only: PGlite is a development dependency, absent from a production install.
import type { PGliteOptions } from '@electric-sql/pglite';

/**
 * PostgreSQL settings for one small table and one connection, passed at every start (not written
 * to postgresql.conf, so a directory made by an older version gets them too). PGlite's initdb
 * keeps the server defaults, sized for a shared server: shared_buffers 128MB alone took the
 * idle process from ~165 to ~280 MiB (README, "Performance"). 16MB still caches ~300k pings;
 * wal_buffers follows it (1/32). Nothing here touches durability.
 */
const PGLITE_SETTINGS = ['shared_buffers=16MB'] as const;

/** `defaultStartParams`: PGlite's own (`PGlite.defaultStartParams`), from the module loaded by the caller. */
export function pgliteOptions(defaultStartParams: readonly string[]): PGliteOptions {
  return { startParams: [...defaultStartParams, ...PGLITE_SETTINGS.flatMap((setting) => ['-c', setting])] };
}
