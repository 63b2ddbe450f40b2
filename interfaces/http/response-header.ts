import type { Context } from 'koa';

/**
 * Sets one response header to a string. Koa 3's `ctx.set` also takes an object of headers and
 * array values, and to tell them apart it builds four arrays and two closures on every call: on
 * the cache-hit path, its four calls (request id, `X-Cache`, `Cache-Control`, `Content-Type`)
 * were about 2 KB of the 20 KB a request allocated (docs/performance.md). For one string value
 * it comes down to this: Node's `setHeader` (which rejects an invalid name or value), skipped
 * once the headers are sent.
 */
export function setResponseHeader(ctx: Pick<Context, 'res'>, name: string, value: string): void {
  if (!ctx.res.headersSent) ctx.res.setHeader(name, value);
}
