import { closeSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import type * as FsNativeExtensions from 'fs-native-extensions';

const require = createRequire(import.meta.url);

/**
 * The lock call, with its native addon loaded on the first lock: only the embedded store takes
 * one, and a process on a PostgreSQL server would otherwise map the addon for nothing.
 */
function tryLock(fd: number): boolean {
  return (require('fs-native-extensions') as typeof FsNativeExtensions).tryLock(fd);
}

/** Another process holds DATA_DIR: the message is the one line the process exits with. */
class DataDirLockedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataDirLockedError';
  }
}

/**
 * One process per DATA_DIR: the embedded engine keeps its state in memory and its files there,
 * and two processes on one directory handed out the same ids and lost acknowledged writes.
 *
 * An OS file lock (fcntl open-file-description lock, through fs-native-extensions) on
 * `DATA_DIR/lock`: the kernel releases it the moment the process ends, however it ends (kill -9
 * included), so there is no stale lock to detect, no pid to check (a reused pid, pid 1 in every
 * container) and no timer to refresh (a refresh that an event-loop stall delays would let another
 * process take a live lock over). The file also names the holder, for the refusal message.
 */
export class DataDirLock {
  private constructor(private fd: number | null) {}

  /** Takes the lock at once or throws DataDirLockedError; never waits. */
  static acquire(dataDir: string): DataDirLock {
    const directory = resolve(dataDir);
    mkdirSync(directory, { recursive: true });
    const path = join(directory, 'lock');
    const fd = openSync(path, 'a+');
    let locked: boolean;
    try {
      locked = tryLock(fd);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    if (!locked) {
      closeSync(fd);
      throw new DataDirLockedError(
        `DATA_DIR ${directory} is in use by another process (${describeHolder(path)}): the embedded store ` +
          'serves one process per directory; stop that process, or give this one another DATA_DIR',
      );
    }
    // The file is ours now; the holder's details replace the previous holder's.
    ftruncateSync(fd, 0);
    const holder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
    writeSync(fd, `${JSON.stringify(holder)}\n`, 0);
    return new DataDirLock(fd);
  }

  /** Closing the descriptor releases the lock; the file stays (removing it would race a newcomer). */
  release(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
  }
}

function describeHolder(path: string): string {
  try {
    const holder = JSON.parse(readFileSync(path, 'utf8')) as { pid?: unknown; host?: unknown; since?: unknown };
    return `pid ${String(holder.pid)} on ${String(holder.host)}, since ${String(holder.since)}`;
  } catch {
    return 'holder unknown: it is still starting';
  }
}
