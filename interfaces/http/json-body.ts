import { bodyParser } from '@koa/bodyparser';
import type { Middleware } from 'koa';

/** Pings carry at most a 280-character note; anything much larger is a mistake or an attack. */
export const BODY_LIMIT = '16kb';

const parseJson = bodyParser({
  enableTypes: ['json'],
  jsonLimit: BODY_LIMIT,
  jsonStrict: true,
  onError(error, ctx) {
    const status = (error as { status?: number }).status;
    if (status === 413) ctx.throw(413, `the body must be at most ${BODY_LIMIT}`);
    if (status === 415) ctx.throw(415, 'the body must be UTF-8 JSON');
    ctx.throw(400, 'the body is not valid JSON');
  },
});

/**
 * Accepts an empty body or a JSON one. A body of another type is refused with 415 rather than
 * ignored, so a client that sends a form by mistake learns it at once.
 */
export const jsonBody: Middleware = async (ctx, next) => {
  if (ctx.request.length === 0 || (!ctx.request.length && !ctx.get('transfer-encoding'))) {
    ctx.request.body = undefined;
    return next();
  }
  if (!ctx.is('application/json', '+json')) {
    ctx.throw(415, 'the body must be application/json');
  }
  return parseJson(ctx, next);
};
