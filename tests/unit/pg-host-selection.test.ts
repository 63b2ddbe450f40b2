import { expect } from 'chai';
import type pg from 'pg';
import { StoreUnavailableError } from '../../domain/errors.js';
import { classifyStoreError } from '../../infrastructure/postgres/classify-store-error.js';
import { HostSelector } from '../../infrastructure/postgres/pg-host-selection.js';
import { parsePostgresUri } from '../../infrastructure/postgres/postgres-hosts.js';

type HostState = 'primary' | 'standby' | 'down';

/** Fake servers by port: `open` fails for a down one, SHOW/pg_is_in_recovery answer by role. */
function fakeServers(states: Record<number, HostState>) {
  const opened: number[] = [];
  const ended: number[] = [];
  const open = async (uri: string): Promise<pg.Client> => {
    const port = Number(new URL(uri).port);
    opened.push(port);
    if (states[port] === 'down') throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const standby = states[port] === 'standby';
    return {
      port,
      query: async (sql: string) => ({
        rows: [sql.includes('transaction_read_only') ? { t: standby ? 'on' : 'off' } : { r: String(standby) }],
      }),
      end: async () => void ended.push(port),
    } as unknown as pg.Client;
  };
  return { open, opened, ended };
}

const portOf = (client: pg.Client) => (client as unknown as { port: number }).port;

describe('HostSelector (libpq multi-host for node-postgres)', () => {
  const uri = (attrs: string) => `postgres://u:pw@h:5001,h:5002,h:5003/db?target_session_attrs=${attrs}`;

  it('read-write: skips a down host and a standby, takes the primary, and closes what it refused', async () => {
    const servers = fakeServers({ 5001: 'down', 5002: 'standby', 5003: 'primary' });
    const client = await new HostSelector(parsePostgresUri(uri('read-write')), servers.open).connect();
    expect(portOf(client)).to.equal(5003);
    expect(servers.opened).to.deep.equal([5001, 5002, 5003]);
    expect(servers.ended).to.deep.equal([5002]);
  });

  it('primary: the same by pg_is_in_recovery()', async () => {
    const servers = fakeServers({ 5001: 'standby', 5002: 'primary', 5003: 'primary' });
    const client = await new HostSelector(parsePostgresUri(uri('primary')), servers.open).connect();
    expect(portOf(client)).to.equal(5002);
  });

  it('any: the first host that answers, standby or not', async () => {
    const servers = fakeServers({ 5001: 'down', 5002: 'standby', 5003: 'primary' });
    const client = await new HostSelector(parsePostgresUri(uri('any')), servers.open).connect();
    expect(portOf(client)).to.equal(5002);
  });

  it('starts with the host that worked last, so a failover costs no connect attempt on the dead host', async () => {
    const states: Record<number, HostState> = { 5001: 'primary', 5002: 'standby', 5003: 'down' };
    const servers = fakeServers(states);
    const selector = new HostSelector(parsePostgresUri(uri('read-write')), servers.open);
    expect(portOf(await selector.connect())).to.equal(5001);
    Object.assign(states, { 5001: 'down', 5002: 'primary' }); // failover
    expect(portOf(await selector.connect())).to.equal(5002);
    servers.opened.length = 0;
    expect(portOf(await selector.connect())).to.equal(5002);
    expect(servers.opened).to.deep.equal([5002]);
  });

  it('every host read-only (mid-failover: no primary yet) is unavailability (25006), never a defect', async () => {
    const servers = fakeServers({ 5001: 'standby', 5002: 'standby', 5003: 'standby' });
    let failure: unknown;
    try {
      await new HostSelector(parsePostgresUri(uri('read-write')), servers.open).connect();
    } catch (error) {
      failure = error;
    }
    expect(failure).to.be.instanceOf(AggregateError);
    expect((failure as Error).message).to.not.include('pw');
    expect(classifyStoreError(failure)).to.be.instanceOf(StoreUnavailableError);
  });
});
