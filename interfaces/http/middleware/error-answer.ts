import type { Context } from 'koa';
import type { ErrorReporter } from '../../../application/error-reporter.port.js';
import { toErrorAnswer } from '../http-errors.js';
import { routeLabel } from '../observability/route-label.js';

/**
 * The one error answer: every failure becomes `{"error":{"code","message"}}`; only unexpected
 * ones are reported, without a stack in the answer.
 */
export function answerError(ctx: Context, error: unknown, reporter: ErrorReporter): void {
  const answer = toErrorAnswer(error);
  if (answer.unexpected) {
    reporter.report(error, {
      route: routeLabel(ctx),
      method: ctx.method,
      requestId: String(ctx.state.requestId ?? ''),
    });
  }
  ctx.status = answer.status;
  ctx.state.errorCode = answer.code;
  if (answer.retryAfterSeconds !== undefined) ctx.set('Retry-After', String(answer.retryAfterSeconds));
  ctx.body = { error: { code: answer.code, message: answer.message } };
}
