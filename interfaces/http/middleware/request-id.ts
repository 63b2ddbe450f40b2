import { randomUUID } from 'node:crypto';
import type { Context } from 'koa';

const REQUEST_ID_HEADER = 'X-Request-Id';

/**
 * What a proxy or a client may pass on: a UUID, a load balancer's trace id (`Root=1-...`), a
 * base64 token. Nothing that could break a log line or a header, and nothing long.
 */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:=+/-]{1,128}$/;

/**
 * Gives the request an id: the caller's `X-Request-Id` when it is sane, else a new UUID.
 * It is returned in the answer and kept in `ctx.state.requestId` for the logs and error reports.
 */
export function assignRequestId(ctx: Context): void {
  const incoming = ctx.get(REQUEST_ID_HEADER);
  const requestId = SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  ctx.state.requestId = requestId;
  ctx.set(REQUEST_ID_HEADER, requestId);
}
