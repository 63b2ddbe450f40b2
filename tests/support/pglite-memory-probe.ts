/**
 * Run by tests/integration/pglite-memory.test.ts in a child process started with the node flags
 * of `npm start`: opens the embedded database in DATA_DIR as the service does (PingDatabase:
 * engine, migrations), records WRITES pings 20 at a time, and prints the process's resident
 * memory once open and its high-water mark after the writes, in MiB.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { KnexPingStore } from '../../infrastructure/postgres/knex-ping-store.js';
import { PingDatabase } from '../../infrastructure/postgres/ping-database.js';
import { silentLogger } from './test-doubles.js';

const status = (field: string) =>
  Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;

const database = PingDatabase.open(
  { uri: null, dataDir: process.env.DATA_DIR!, poolMax: 1, acquireTimeoutMs: 60_000, statementTimeoutMs: 2_000 },
  silentLogger,
);
await database.start();
const store = new KnexPingStore(database.knex);
await store.record(null);
const openRss = status('VmRSS');
writeFileSync('/proc/self/clear_refs', '5');
for (let left = Number(process.env.WRITES ?? 300); left > 0; left -= 20) {
  await Promise.all(Array.from({ length: Math.min(20, left) }, () => store.record('bench')));
}
const writePeak = status('VmHWM');
const shared = await database.knex.raw('show shared_buffers');
await database.close();
process.stdout.write(JSON.stringify({ openRss, writePeak, sharedBuffers: shared.rows[0].shared_buffers }) + '\n');
