import { resolve } from 'node:path';
import type { Knex } from 'knex';
import type { Logger } from '../../application/logger.port.js';
import { createPgKnex } from './create-pg-knex.js';
import { createPgliteKnex } from './create-pglite-knex.js';
import { DataDirLock } from '../embedded/data-dir-lock.js';
import { parsePostgresUri } from './postgres-hosts.js';
import { runMigrations } from './run-migrations.js';

export interface DatabaseSettings {
  /** null: the embedded PGlite engine under `dataDir`. */
  readonly uri: string | null;
  readonly dataDir: string;
  readonly poolMax: number;
  readonly acquireTimeoutMs: number;
  readonly statementTimeoutMs: number;
}

/** The directory of the embedded engine inside DATA_DIR, so DATA_DIR can hold other things. */
function pgliteDirectory(dataDir: string): string {
  return resolve(dataDir, 'pglite');
}

/** One line for logs: which engine, and where (passwords masked). */
export function describeDatabase(settings: Pick<DatabaseSettings, 'uri' | 'dataDir'>): string {
  return settings.uri
    ? describeServer(settings.uri)
    : `embedded PGlite in ${pgliteDirectory(settings.dataDir)} (set POSTGRES_URI for a server)`;
}

/** Hosts and database, never credentials; `target_session_attrs` when it picks among hosts. */
function describeServer(uri: string): string {
  const targets = parsePostgresUri(uri);
  const attrs = targets.targetSessionAttrs === 'any' ? '' : ` (target_session_attrs=${targets.targetSessionAttrs})`;
  return `PostgreSQL at ${targets.description}${attrs}`;
}

/**
 * The pings database, whichever engine is behind it: PostgreSQL when POSTGRES_URI is set, the
 * embedded PGlite otherwise. Listed in the Lifecycle by the composition root: `start` migrates,
 * `close` releases the pool (or closes the embedded engine, flushing it to disk).
 */
export class PingDatabase {
  readonly name = 'postgres';
  /** The per-transaction statement budget for KnexPingStore; null on the embedded engine (it has none). */
  statementTimeoutMs: number | null = null;

  private constructor(
    readonly knex: Knex,
    readonly description: string,
    private readonly logger: Logger,
    private readonly engine: {
      /** Resolves once the engine can take queries (PGlite's first start runs initdb: seconds). */
      ready(): Promise<void>;
      /** Runs after the pool is destroyed. */
      afterDestroy(): Promise<void>;
      /** Replicas may migrate together (a server): take turns on an advisory lock. */
      readonly sharedByReplicas: boolean;
    } = { ready: async () => {}, afterDestroy: async () => {}, sharedByReplicas: true },
  ) {}

  static open(settings: DatabaseSettings, logger: Logger): PingDatabase {
    const description = describeDatabase(settings);
    if (settings.uri) {
      const database = new PingDatabase(createPgKnex({ ...settings, uri: settings.uri }, logger), description, logger);
      database.statementTimeoutMs = settings.statementTimeoutMs;
      return database;
    }
    // Before the engine touches a file: a second process on the directory exits here, naming the holder.
    const lock = DataDirLock.acquire(settings.dataDir);
    const { knex, pglite } = createPgliteKnex(
      { directory: pgliteDirectory(settings.dataDir), acquireTimeoutMs: settings.acquireTimeoutMs },
      logger,
    );
    return new PingDatabase(knex, description, logger, {
      sharedByReplicas: false, // one process per DATA_DIR, by the lock above
      ready: () => pglite.waitReady,
      afterDestroy: async () => {
        try {
          if (!pglite.closed) await pglite.close();
        } finally {
          lock.release();
        }
      },
    });
  }

  /**
   * Migrations at start: replicas starting together take turns on an advisory lock (see
   * runMigrations). The embedded engine is awaited first, so its one-off initdb does not count
   * against the acquire budget.
   */
  async start(): Promise<void> {
    await this.engine.ready();
    const applied = await runMigrations(this.knex, {
      advisoryLock: this.engine.sharedByReplicas,
      onContention: () => this.logger.info('another instance is migrating the database: waiting for it'),
    });
    this.logger.info(
      { applied, database: this.description },
      applied.length ? 'migrations applied' : 'schema is current',
    );
  }

  /** The readiness probe: the database answers a trivial query within the pool's budgets. */
  async check(): Promise<void> {
    await this.knex.raw('select 1');
  }

  async close(): Promise<void> {
    try {
      await this.knex.destroy();
    } finally {
      await this.engine.afterDestroy();
    }
  }
}
