import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { maskUrl } from '../../infrastructure/config/config.js';

/** The servers the integration suites use (see the README, "Tests"). */
export const testPostgresUri = process.env.TEST_POSTGRES_URI || 'postgres://postgres@127.0.0.1:5432/postgres';
export const testRedisUri = process.env.TEST_REDIS_URI || 'redis://127.0.0.1:6379';

/**
 * A test server did not answer. Its stack is its message alone, so mocha prints one line that
 * says how to provide the server instead of a trace into pg or ioredis internals.
 */
class ServerUnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServerUnreachableError';
    this.stack = message;
  }
}

export interface ScratchDatabase {
  readonly uri: string;
  /** One query on a connection of its own, for the test's checks. */
  query(sql: string, values?: unknown[]): Promise<pg.QueryResult>;
  drop(): Promise<void>;
}

/** A fresh PostgreSQL database on the test server, dropped (with its connections) by `drop()`. */
export async function createScratchDatabase(label: string): Promise<ScratchDatabase> {
  const name = `${label}_${process.pid}_${randomBytes(4).toString('hex')}`.toLowerCase();
  await withAdminClient((client) => client.query(`CREATE DATABASE "${name}"`));
  const uri = new URL(testPostgresUri);
  uri.pathname = `/${name}`;
  return {
    uri: uri.toString(),
    query: (sql, values) => withAdminClient((client) => client.query(sql, values), uri.toString()),
    drop: () =>
      withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => {}),
  };
}

async function withAdminClient<T>(use: (client: pg.Client) => Promise<T>, uri = testPostgresUri): Promise<T> {
  const client = new pg.Client({ connectionString: uri, connectionTimeoutMillis: 3000 });
  client.on('error', () => {}); // a server going away mid-test fails the query, not the process
  try {
    await client.connect();
  } catch (error) {
    throw new ServerUnreachableError(
      `PostgreSQL is not reachable at ${maskUrl(testPostgresUri)} (${reason(error)}): start it, or set ` +
        'TEST_POSTGRES_URI=postgres://user:password@host:5432/postgres to a server where that user may create databases',
    );
  }
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** A plain client on the test Redis, for the tests' own checks (PTTL, raw writes). */
export async function connectTestRedis(uri: string = testRedisUri): Promise<Redis> {
  const redis = new Redis(uri, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    throw new ServerUnreachableError(
      `Redis is not reachable at ${maskUrl(uri)} (${reason(error)}): start it (redis-server), or set ` +
        'TEST_REDIS_URI=redis://[:password@]host:6379[/db] to a reachable server',
    );
  }
  return redis;
}

/**
 * A unique key prefix on the test Redis, so runs never see each other's keys; `clear()` deletes
 * every key under it and disconnects `redis`.
 */
export interface ScratchRedisPrefix {
  readonly prefix: string;
  readonly redis: Redis;
  /** Every key under the prefix. */
  keys(): Promise<string[]>;
  clear(): Promise<void>;
}

export async function scratchRedisPrefix(label: string): Promise<ScratchRedisPrefix> {
  const prefix = `${label}:${process.pid}-${randomBytes(4).toString('hex')}:`;
  const redis = await connectTestRedis();
  const keys = async () => {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 100);
      found.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    return found;
  };
  return {
    prefix,
    redis,
    keys,
    clear: async () => {
      try {
        const found = await keys();
        if (found.length > 0) await redis.del(...found);
      } finally {
        redis.disconnect();
      }
    },
  };
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error);
}
