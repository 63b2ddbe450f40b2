/**
 * Child-process entry of initPgliteDirectory: creates the embedded database in the directory given
 * as its argument, then exits. Run with the parent's node flags (see pglite-fresh-directory.ts).
 */
import { PGlite } from '@electric-sql/pglite';
import { pgliteOptions } from './pglite-settings.js';

const directory = process.argv[2];
if (!directory) throw new Error('usage: pglite-initdb-child <directory>');
const pglite = await PGlite.create(directory, pgliteOptions(PGlite.defaultStartParams));
await pglite.close();
