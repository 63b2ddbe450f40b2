/**
 * ioredis puts the failed command on its errors, `command: {name, args}`, and the arguments can
 * be credentials (`HELLO 3 AUTH default <password>` on every connect) or data. Keeps the name
 * only, on the error and down its `cause` chain. Mutates the error, so whoever holds it later (a
 * domain error's cause, a log line, a Sentry event) sees the redacted one; used wherever an
 * ioredis error leaves the adapter.
 */
export function withoutCommandArgs<E>(error: E): E {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current !== null && typeof current === 'object'; depth++) {
    const holder = current as { command?: unknown; cause?: unknown };
    if (holder.command !== null && typeof holder.command === 'object') {
      holder.command = { name: (holder.command as { name?: unknown }).name };
    }
    current = holder.cause;
  }
  return error;
}
