import type { Context } from 'koa';
import { setResponseHeader } from './response-header.js';

type Answer = Pick<Context, 'res' | 'body'>;

/**
 * Answers `value` as JSON (`application/json; charset=utf-8`, as Koa would). Serialised here
 * rather than handed to Koa as an object: Koa tests an object body against the web
 * `ReadableStream`, `Blob` and `Response` classes, and touching those globals loads undici (fetch,
 * WebSocket) into a process that never uses it: about 2 MiB of heap (docs/performance.md).
 */
export function answerJson(ctx: Answer, value: unknown): void {
  answerJsonText(ctx, JSON.stringify(value));
}

/** Answers JSON already serialised (a memoised answer, a document serialised once). */
export function answerJsonText(ctx: Answer, json: string): void {
  setResponseHeader(ctx, 'Content-Type', 'application/json; charset=utf-8');
  ctx.body = json;
}
