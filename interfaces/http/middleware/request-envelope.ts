import type { Middleware } from 'koa';
import type { HttpDependencies } from '../http-dependencies.js';
import { observeRequest } from '../observability/request-observation.js';
import { closeConnectionIfDraining } from './connection-close.js';
import { answerError } from './error-answer.js';
import { requireHostHeader } from './host-header.js';
import { assignRequestId } from './request-id.js';

const NOT_DRAINING = { closing: false };

/**
 * What every request gets, around the routes, in one place whose order can be read at a glance
 * (and one async frame per request rather than five). The order is the contract:
 * 1. the request id first, so the error report and the access log both carry it;
 * 2. timing starts before anything can fail;
 * 3. every failure below (Host check, routes, unrouted answers) becomes the JSON error shape;
 * 4. then, with the status final: `Connection: close` while draining, even on an error answer,
 *    and one observation for the histogram and the access log.
 */
export function requestEnvelope(deps: HttpDependencies): Middleware {
  const connections = deps.connections ?? NOT_DRAINING;
  return async (ctx, next) => {
    assignRequestId(ctx);
    const started = performance.now();
    try {
      requireHostHeader(ctx);
      await next();
    } catch (error) {
      answerError(ctx, error, deps.reporter);
    } finally {
      closeConnectionIfDraining(ctx, connections);
      observeRequest(ctx, performance.now() - started, deps.metrics, deps.logger);
    }
  };
}
