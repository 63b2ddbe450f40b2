import type { Context } from 'koa';
import { setResponseHeader } from '../response-header.js';
import { requestUuid } from './request-uuid.js';

const REQUEST_ID_HEADER = 'X-Request-Id';
/** As Node keys incoming headers; read directly, since Koa's `ctx.get` lower-cases the name on every call. */
const INCOMING_HEADER = REQUEST_ID_HEADER.toLowerCase();

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
  const incoming = ctx.req.headers[INCOMING_HEADER];
  const requestId = typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming) ? incoming : requestUuid();
  ctx.state.requestId = requestId;
  setResponseHeader(ctx, REQUEST_ID_HEADER, requestId);
}
