import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Creates the embedded database in `directory` in a short-lived child process when it holds none
 * yet. In-process, PGlite's initdb runs a second, throwaway engine whose WebAssembly memory and
 * dump of the new directory stayed resident after it finished, so the first start idled at more
 * than twice the memory of every later one. A child gives all of it back when it exits.
 * Synchronous, like the in-process initdb it replaces (WebAssembly blocks the event loop
 * either way), and only ever before the service listens.
 */
export function initPgliteDirectory(directory: string): void {
  if (existsSync(join(directory, 'PG_VERSION'))) return;
  const here = fileURLToPath(import.meta.url);
  // .js when compiled, .ts under tsx (whose loader is in execArgv, so the child gets it too).
  const child = join(dirname(here), `pglite-initdb-child${extname(here)}`);
  const flags = process.execArgv.filter((flag) => !flag.startsWith('--inspect'));
  execFileSync(process.execPath, [...flags, child, directory], { stdio: ['ignore', 'ignore', 'inherit'] });
}
