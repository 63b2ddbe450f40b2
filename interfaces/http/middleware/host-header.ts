import type { Context } from 'koa';
import { exposedHttpError } from '../http-errors.js';

/**
 * HTTP/1.1 without Host is malformed (RFC 9112 3.2). Node would answer it with an empty 400 (its
 * requireHostHeader, turned off in startup/http-server.ts so the answer has our JSON shape).
 */
export function requireHostHeader(ctx: Context): void {
  if (!ctx.req.headers.host && ctx.req.httpVersion === '1.1') {
    ctx.set('Connection', 'close');
    throw exposedHttpError(400, 'an HTTP/1.1 request needs a Host header');
  }
}
