import { SystemClock } from '../../infrastructure/clock/system-clock.js';
import { MemoryPingStore } from '../../infrastructure/memory/memory-ping-store.js';
import { KnexPingStore } from '../../infrastructure/postgres/knex-ping-store.js';
import { openTestDatabase } from '../support/backend-fixtures.js';
import { pingStoreContract } from './ping-store.contract.js';

pingStoreContract('MemoryPingStore', async () => ({
  store: new MemoryPingStore(new SystemClock()),
  close: async () => {},
}));

pingStoreContract('KnexPingStore on embedded PGlite', async () => {
  const { database, close } = await openTestDatabase('pglite');
  return { store: new KnexPingStore(database.knex), close };
});

pingStoreContract('KnexPingStore on PostgreSQL (TEST_POSTGRES_URI)', async () => {
  const { database, close } = await openTestDatabase('postgresql');
  return { store: new KnexPingStore(database.knex), close };
});
