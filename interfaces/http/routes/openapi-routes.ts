import type Router from '@koa/router';
import openApiDocument from '../openapi.json' with { type: 'json' };
import { answerJsonText } from '../json-answer.js';

/**
 * The OpenAPI 3.1 document (interfaces/http/openapi.json, written by hand and checked against the
 * live answers by tests/unit/openapi-contract.test.ts). Serialised once: serving it costs a
 * string write, and it adds no schema generator to the process.
 */
const body = JSON.stringify(openApiDocument);

export function addOpenApiRoutes(router: Router): void {
  router.get('/openapi.json', (ctx) => {
    answerJsonText(ctx, body);
  });
}
