import type { ChildProcess } from 'node:child_process';

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
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}: ${describe()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`did not become ready: ${describe()}`);
}
