import type { ChildProcess } from 'node:child_process';
import { waitUntil } from './wait-until.js';

/**
 * Polls `url` until it answers 2xx, failing early if `child` exits and after `timeoutMs`
 * (killing it then). `describe` gives the error its context (the child's stderr).
 */
export async function waitUntilReady(
  child: ChildProcess,
  url: string,
  describe: () => string,
  timeoutMs = 30_000,
): Promise<void> {
  const exited = () => child.exitCode !== null;
  const answersOk = () =>
    fetch(url).then(
      (response) => response.ok,
      () => false, // not listening yet
    );
  try {
    await waitUntil(async () => exited() || (await answersOk()), { timeoutMs, intervalMs: 100, what: 'ready' });
  } catch {
    child.kill('SIGKILL');
    throw new Error(`did not become ready: ${describe()}`);
  }
  if (exited()) throw new Error(`exited with ${child.exitCode}: ${describe()}`);
}
