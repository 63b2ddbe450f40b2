import type Router from '@koa/router';
import openApiDocument from '../openapi.json' with { type: 'json' };

/**
 * The OpenAPI 3.1 document (interfaces/http/openapi.json, written by hand and checked against the
 * live answers by tests/unit/openapi-contract.test.ts). Serialised once, since it never changes.
 */
const body = JSON.stringify(openApiDocument);

export function addOpenApiRoutes(router: Router): void {
  router.get('/openapi.json', (ctx) => {
    ctx.type = 'json';
    ctx.body = body;
  });
}
