/**
 * Answers `value` as JSON (`application/json; charset=utf-8`, as Koa would). Serialised here
 * rather than handed to Koa as an object: Koa tests an object body against the web
 * `ReadableStream`, `Blob` and `Response` classes, and touching those globals loads undici (fetch,
 * WebSocket) into a process that never uses it: about 2 MiB of heap (docs/performance.md).
 */
export function answerJson(ctx: { type: string; body: unknown }, value: unknown): void {
  ctx.type = 'application/json; charset=utf-8';
  ctx.body = JSON.stringify(value);
}
