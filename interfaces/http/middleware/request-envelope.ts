import type { Context, Middleware, Next } from 'koa';
import type { ServerSpan } from '../../../application/request-tracing.port.js';
import type { HttpDependencies } from '../http-dependencies.js';
import { NEVER_OVERLOADED } from '../load-signal.js';
import { observeRequest } from '../observability/request-observation.js';
import { matchedRoute } from '../observability/route-label.js';
import { closeConnectionIfDraining } from './connection-close.js';
import { admissionControl } from './admission.js';
import { answerError } from './error-answer.js';
import { requireHostHeader } from './host-header.js';
import { assignRequestId } from './request-id.js';

const NOT_DRAINING = { closing: false };

/**
 * What every request gets, around the routes, in one place whose order can be read at a glance
 * (and one async frame per request rather than five). The order is the contract:
 * 1. the request id first, so the error report and the access log both carry it (and, with
 *    tracing on, the answer's `traceparent`);
 * 2. timing starts before anything can fail;
 * 3. every failure below (Host check, routes, unrouted answers) becomes the JSON error shape;
 * 4. load shedding (admission.ts) after the Host check: a refused request is counted and answered
 *    like any other, before any of its work;
 * 5. then, with the status final: `Connection: close` while draining, even on an error answer,
 *    and one observation for the histogram and the access log; the server span ends last.
 *
 * With tracing on, the whole frame runs inside the request's server span, so the error report
 * and the access log carry its trace. With tracing off the envelope is returned as it is: no
 * wrapper, and `span` is undefined (Koa passes two arguments), the one check a request pays.
 */
export function requestEnvelope(deps: HttpDependencies): Middleware {
  const connections = deps.connections ?? NOT_DRAINING;
  const admission = admissionControl(deps.load ?? NEVER_OVERLOADED, (reason) => deps.metrics.countShed(reason));
  const envelope = async (ctx: Context, next: Next, span?: ServerSpan): Promise<void> => {
    assignRequestId(ctx);
    if (span) ctx.set('traceparent', span.traceparent);
    const started = performance.now();
    let failure: unknown;
    let admitted = false;
    try {
      requireHostHeader(ctx);
      admitted = admission.admit(ctx.path);
      await next();
    } catch (error) {
      failure = error;
      answerError(ctx, error, deps.reporter);
    } finally {
      if (admitted) admission.release();
      closeConnectionIfDraining(ctx, connections);
      observeRequest(ctx, performance.now() - started, deps.metrics, deps.logger);
      span?.answered({
        status: ctx.status,
        route: matchedRoute(ctx),
        requestId: ctx.state.requestId as string,
        xCache: ctx.response.get('X-Cache') || undefined,
        error: failure,
      });
    }
  };
  const tracing = deps.tracing;
  if (!tracing) return envelope;
  return (ctx, next) =>
    tracing.trace({ method: ctx.method, path: ctx.path, headers: ctx.headers }, (span) => envelope(ctx, next, span));
}
