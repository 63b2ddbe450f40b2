import { SystemClock } from '../../infrastructure/clock/system-clock.js';
import { MemoryPingStore } from '../../infrastructure/memory/memory-ping-store.js';
import { openTestDatabase } from '../support/backend-fixtures.js';
import { PgBouncerProcess } from '../support/pgbouncer-process.js';
import { pingStoreContract } from './ping-store.contract.js';

pingStoreContract('MemoryPingStore', async () => ({
  store: new MemoryPingStore(new SystemClock()),
  close: async () => {},
}));

pingStoreContract('KnexPingStore on embedded PGlite', () => openTestDatabase('pglite'));

pingStoreContract('KnexPingStore on PostgreSQL (TEST_POSTGRES_URI)', () => openTestDatabase('postgresql'));

// A pooler in transaction mode (pgbouncer) keeps no session state between transactions and
// refuses start-up parameters: the store must work through it all the same.
describe('through pgbouncer in transaction pooling mode', () => {
  let bouncer: PgBouncerProcess;
  before(async () => (bouncer = await PgBouncerProcess.start()));
  after(async () => bouncer?.stop());
  pingStoreContract('KnexPingStore on PostgreSQL through pgbouncer', () =>
    openTestDatabase('postgresql', {}, (uri) => bouncer.route(uri)),
  );
});
