import { setTimeout as delay } from 'node:timers/promises';

export interface WaitOptions<T> {
  /** Gives up after this long. Every caller says in one line why its bound is that number. */
  readonly timeoutMs: number;
  /** Between two checks; short, since a check is cheap next to what it waits for. */
  readonly intervalMs?: number;
  /** What is awaited, for the error: "readiness naming the promoted master". */
  readonly what: string;
  /** More context for the error, read only on a timeout (the last value seen, a log tail). */
  readonly describe?: (last: T | undefined) => string;
}

/** What a satisfied condition resolves to: its value, never a falsy one. */
type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

/**
 * Checks `condition` until it returns a truthy value, and resolves to that value; rejects after
 * `timeoutMs` with `what` and `describe`'s context. A condition that throws ends the wait with its
 * error, so a check that cannot succeed any more (a process that exited) fails at once.
 */
export async function waitUntil<T>(condition: () => T | Promise<T>, options: WaitOptions<T>): Promise<Truthy<T>> {
  const deadline = performance.now() + options.timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await condition();
    if (last) return last as Truthy<T>;
    if (performance.now() >= deadline) break;
    await delay(Math.min(options.intervalMs ?? 50, Math.max(0, deadline - performance.now())));
  }
  const context = options.describe ? `: ${options.describe(last)}` : '';
  throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}${context}`);
}
