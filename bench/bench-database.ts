/** A fresh PostgreSQL database for one bench run, dropped (with force) when the run is over. */
import pg from 'pg';

export interface BenchDatabase {
  readonly uri: string;
  /** How many pings the database holds: the write path and the cold-key burst count them. */
  countRows(): Promise<number>;
}

export async function withDatabase<T>(serverUri: string, work: (database: BenchDatabase) => Promise<T>): Promise<T> {
  const name = `ping_bench_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: serverUri });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const uri = Object.assign(new URL(serverUri), { pathname: `/${name}` }).toString();
  const counter = new pg.Client({ connectionString: uri });
  try {
    await counter.connect();
    const countRows = async () => Number((await counter.query('select count(*)::int as n from pings')).rows[0].n);
    return await work({ uri, countRows });
  } finally {
    await counter.end().catch(() => undefined);
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}
