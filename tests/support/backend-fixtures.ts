import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { KnexPingStore } from '../../infrastructure/postgres/knex-ping-store.js';
import { PingDatabase, type DatabaseSettings } from '../../infrastructure/postgres/ping-database.js';
import { createRedisClient } from '../../infrastructure/redis/create-redis-client.js';
import { createScratchDatabase, scratchRedisPrefix, testRedisUri } from './test-servers.js';
import { silentLogger } from './test-doubles.js';

export interface DatabaseBudgets {
  readonly poolMax: number;
  readonly acquireTimeoutMs: number;
  readonly statementTimeoutMs: number;
}

/** The service's own defaults for the database budgets. */
export const TEST_DATABASE_BUDGETS: DatabaseBudgets = {
  poolMax: 10,
  acquireTimeoutMs: 1_000,
  statementTimeoutMs: 2_000,
};

export interface DatabaseFixture {
  readonly database: PingDatabase;
  /** A KnexPingStore on `database` with its statement budget, as the composition root builds it. */
  readonly store: KnexPingStore;
  /** POSTGRES_URI of the scratch database, or DATA_DIR of the embedded one. */
  readonly env: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

/** A migrated database: a scratch database on the test PostgreSQL, or PGlite in a temp dir. */
export async function openTestDatabase(
  engine: 'postgresql' | 'pglite',
  budgets: Partial<DatabaseBudgets> = {},
  /** Rewrites the scratch database's URI, e.g. to reach it through a pooler. */
  route: (uri: string) => string = (uri) => uri,
): Promise<DatabaseFixture> {
  const settings = { ...TEST_DATABASE_BUDGETS, ...budgets };
  if (engine === 'pglite') {
    const dataDir = mkdtempSync(join(tmpdir(), 'ping-service-pglite-'));
    const database = await openMigrated({ ...settings, uri: null, dataDir }).catch((error: unknown) => {
      rmSync(dataDir, { recursive: true, force: true });
      throw error;
    });
    return {
      database,
      store: new KnexPingStore(database.knex, database.statementTimeoutMs),
      env: { DATA_DIR: dataDir },
      close: async () => {
        await database.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const scratch = await createScratchDatabase('ping_service_test');
  try {
    const uri = route(scratch.uri);
    const database = await openMigrated({ ...settings, uri, dataDir: '.' });
    return {
      database,
      store: new KnexPingStore(database.knex, database.statementTimeoutMs),
      env: { POSTGRES_URI: uri },
      close: async () => {
        await database.close();
        await scratch.drop();
      },
    };
  } catch (error) {
    await scratch.drop();
    throw error;
  }
}

async function openMigrated(settings: DatabaseSettings): Promise<PingDatabase> {
  const database = PingDatabase.open(settings, silentLogger);
  try {
    await database.start();
    return database;
  } catch (error) {
    await database.close();
    throw error;
  }
}

export interface RedisFixture {
  /** A client built by the service's own factory, connected. */
  readonly client: Redis;
  /** A unique key prefix for this run; REDIS_KEY_PREFIX for a container. */
  readonly prefix: string;
  /** A plain client for the test's own checks (PTTL, raw writes). */
  readonly inspector: Redis;
  readonly env: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

/** The test Redis under a prefix of its own; `close()` deletes the prefix's keys. */
export async function openTestRedis(label = 'ping-service-test'): Promise<RedisFixture> {
  const scratch = await scratchRedisPrefix(label);
  const client = createRedisClient(
    { uri: testRedisUri, connectTimeoutMs: 1_000, commandTimeoutMs: 1_000 },
    silentLogger,
  );
  await client.connect();
  return {
    client,
    prefix: scratch.prefix,
    inspector: scratch.redis,
    env: { REDIS_URI: testRedisUri, REDIS_KEY_PREFIX: scratch.prefix },
    close: async () => {
      client.disconnect();
      await scratch.clear();
    },
  };
}

/**
 * Real time passing, the contract suites' `elapse` on real Redis: TTL expiry is what those tests
 * are about, and no fake clock moves Redis's own. Everything else waits for a state (waitUntil).
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
