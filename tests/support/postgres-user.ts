import { spawnSync } from 'node:child_process';

/**
 * Spawn options that run a PostgreSQL tool (initdb, pg_ctl, pgbouncer) as the `postgres` user
 * when the tests run as root, since those refuse root; as ourselves otherwise.
 */
export function asPostgresUser(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}
