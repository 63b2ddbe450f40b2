import type pg from 'pg';
import type { PostgresHost, PostgresTargets, TargetSessionAttrs } from './postgres-hosts.js';

/** What libpq asks a server for each `target_session_attrs`; `any` takes the first that answers. */
const ACCEPTANCE_QUERY: Record<Exclude<TargetSessionAttrs, 'any'>, { sql: string; refused: string }> = {
  // Off on a primary; on on a standby and wherever default_transaction_read_only is set.
  'read-write': { sql: 'show transaction_read_only', refused: 'on' },
  primary: { sql: 'select pg_is_in_recovery()::text as in_recovery', refused: 'true' },
};

/** A host that answered but is not what `target_session_attrs` asks for: 25006 read_only_sql_transaction. */
class HostNotAcceptedError extends Error {
  readonly code = '25006';
}

/**
 * libpq's multi-host connection for node-postgres: hosts are tried in turn, each connection is
 * checked against `target_session_attrs` (a standby or a demoted primary is closed and the next
 * host tried), and the first acceptable one is used. The host that answered last is tried first
 * next time, so after a failover new connections go straight to the promoted server instead of
 * paying a connect attempt on the dead one.
 */
export class HostSelector {
  private preferred = 0;

  constructor(
    private readonly targets: PostgresTargets,
    private readonly open: (uri: string) => Promise<pg.Client>,
  ) {}

  async connect(): Promise<pg.Client> {
    const { hosts } = this.targets;
    const failures: unknown[] = [];
    for (let step = 0; step < hosts.length; step++) {
      const index = (this.preferred + step) % hosts.length;
      try {
        const client = await this.tryHost(hosts[index]!);
        this.preferred = index;
        return client;
      } catch (error) {
        failures.push(error);
      }
    }
    // Every host failed or was refused: unavailability (the classifier looks inside).
    throw new AggregateError(failures, `no acceptable PostgreSQL host among ${this.targets.description}`);
  }

  private async tryHost(host: PostgresHost): Promise<pg.Client> {
    const client = await this.open(this.targets.uriFor(host));
    const attrs = this.targets.targetSessionAttrs;
    if (attrs === 'any') return client;
    const { sql, refused } = ACCEPTANCE_QUERY[attrs];
    try {
      const { rows } = await client.query<Record<string, string>>(sql);
      if (Object.values(rows[0] ?? {})[0] === refused) {
        throw new HostNotAcceptedError(`${host.host}:${host.port} does not accept target_session_attrs=${attrs}`);
      }
      return client;
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
  }
}
