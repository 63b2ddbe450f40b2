import type { Middleware } from 'koa';
import type { ErrorReporter } from '../../domain/error-reporter.port.js';
import { toErrorAnswer } from './http-errors.js';

/**
 * The one error handler, at the top of the stack: every failure becomes
 * `{"error":{"code","message"}}`; only unexpected ones are reported, without a stack in the answer.
 */
export function errorMiddleware(reporter: ErrorReporter): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      // Nothing answered (no route), or the router set 405/501 with an Allow header but no body.
      if (ctx.body === undefined && (ctx.status === 404 || ctx.status === 405 || ctx.status === 501)) {
        const message =
          ctx.status === 404 ? `no route for ${ctx.method} ${ctx.path}` : `${ctx.method} is not allowed on ${ctx.path}`;
        ctx.throw(ctx.status, message);
      }
    } catch (error) {
      const answer = toErrorAnswer(error);
      if (answer.unexpected) {
        reporter.report(error, {
          route: String(ctx.state.routeTemplate ?? ctx._matchedRoute ?? 'unmatched'),
          method: ctx.method,
          requestId: String(ctx.state.requestId ?? ''),
        });
      }
      ctx.status = answer.status;
      ctx.body = { error: { code: answer.code, message: answer.message } };
    }
  };
}
