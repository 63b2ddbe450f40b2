import type KoaRouter from '@koa/router';
import type { RouterContext } from '@koa/router';
import { expect } from 'chai';
import Koa, { type Middleware } from 'koa';
import { inject } from 'light-my-request';
import { Router } from '../../interfaces/http/http-modules.js';
import { routesWithStaticTable, staticRouteTable } from '../../interfaces/http/static-routes.js';

/**
 * Answers with the route template the handler was given, so two apps can be compared answer for
 * answer (the one field of the router's context that a handler served from the table gets).
 */
const echo =
  (handler: string): Middleware =>
  (ctx) => {
    ctx.body = { handler, route: (ctx as unknown as RouterContext)._matchedRoute ?? null };
  };

/** Answers the whole of the router's context that a handler passed on: what comes after reads it. */
const echoRouterContext: Middleware = (ctx) => {
  const routed = ctx as unknown as RouterContext;
  ctx.body = {
    route: routed._matchedRoute ?? null,
    routeMatched: routed.routeMatched ?? null,
    routerPath: routed.routerPath ?? null,
    params: routed.params ?? null,
    requestParams: (routed.request as { params?: unknown }).params ?? null,
    captures: routed.captures ?? null,
    router: routed.router === undefined ? null : 'set',
    matched: (routed.matched ?? []).map((layer) => String(layer.path)),
  };
};

/** Every kind of declaration the table must either serve exactly as the router would, or leave to it. */
function declareRoutes(router: KoaRouter): KoaRouter {
  router.get('/plain', echo('plain'));
  router.post('/plain', echo('plain-post'));
  router.get('/users/:id', echo('user'));
  router.get('/twice', echo('twice-1'));
  router.get('/twice', echo('twice-2'));
  router.get('/:any/shadowed', echo('any'));
  router.get('/x/shadowed', echo('x'));
  router.get(
    '/two-middleware',
    async (ctx, next) => {
      ctx.set('X-First', 'yes');
      await next();
    },
    echo('two-middleware'),
  );
  router.get('/passes-on', (_ctx, next) => next());
  return router;
}

const unrouted: Middleware = (ctx) => {
  ctx.status = 404;
  ctx.body = { unrouted: true, matched: ((ctx as unknown as RouterContext).matched ?? []).length };
};

function app(router: KoaRouter, withTable: boolean) {
  const koa = new Koa();
  koa.use(withTable ? routesWithStaticTable(router) : (router.routes() as Middleware));
  koa.use(unrouted);
  return koa.callback();
}

const tableKeys = (router: KoaRouter) =>
  [...staticRouteTable(router)].flatMap(([method, byPath]) => [...byPath.keys()].map((path) => `${method} ${path}`));

describe('static routes: a table lookup ahead of @koa/router that answers as the router would', () => {
  it('serves a route only where the router matches it and nothing else', () => {
    expect(tableKeys(declareRoutes(new Router())).sort()).to.deep.equal(
      ['GET /plain', 'HEAD /plain', 'POST /plain', 'GET /passes-on', 'HEAD /passes-on'].sort(),
    );
  });

  it('leaves everything to the router when router-level middleware or a host restriction could change the answer', () => {
    const withMiddleware = declareRoutes(new Router());
    withMiddleware.use((_ctx, next) => next());
    expect(tableKeys(withMiddleware)).to.deep.equal([]);
    expect(tableKeys(declareRoutes(new Router({ host: 'example.com' })))).to.deep.equal([]);
  });

  it("keys a prefixed router's routes by their full path", () => {
    expect(tableKeys(declareRoutes(new Router({ prefix: '/v1' })))).to.include('GET /v1/plain');
  });

  const requests: Array<[string, string]> = [
    ['GET', '/plain'],
    ['HEAD', '/plain'],
    ['POST', '/plain'],
    ['GET', '/PLAIN'],
    ['GET', '/plain/'],
    ['GET', '/pl%61in'],
    ['GET', '/plain?with=query'],
    ['DELETE', '/plain'],
    ['GET', '/users/7'],
    ['GET', '/twice'],
    ['GET', '/x/shadowed'],
    ['GET', '/two-middleware'],
    ['GET', '/passes-on'],
    ['GET', '/nowhere'],
  ];
  for (const [method, url] of requests)
    it(`${method} ${url}: the same answer with the table as with the router alone`, async () => {
      const router = declareRoutes(new Router());
      const [withTable, routerOnly] = await Promise.all([
        inject(app(router, true), { method: method as 'GET', url }),
        inject(app(router, false), { method: method as 'GET', url }),
      ]);
      expect(withTable.statusCode).to.equal(routerOnly.statusCode);
      expect(withTable.body).to.equal(routerOnly.body);
      const { date: _a, ...headersWithTable } = withTable.headers;
      const { date: _b, ...headersRouterOnly } = routerOnly.headers;
      expect(headersWithTable).to.deep.equal(headersRouterOnly);
    });

  it('answers a route of the table without asking the router, and any other request through it', async () => {
    const router = declareRoutes(new Router());
    const handler = app(router, true);
    const match = router.match.bind(router);
    let asked = 0;
    router.match = (path, method) => (asked++, match(path, method));
    await inject(handler, { method: 'GET', url: '/plain' });
    expect(asked, 'GET /plain').to.equal(0);
    await inject(handler, { method: 'GET', url: '/users/7' });
    expect(asked, 'GET /users/7').to.equal(1);
  });

  it('hands a request its handler passes on to a router mounted after, as the router alone does', async () => {
    const answers = await Promise.all(
      [true, false].map((withTable) => {
        const first = declareRoutes(new Router());
        const second = new Router();
        second.get('/passes-on', echo('second router'));
        const koa = new Koa();
        koa.use(withTable ? routesWithStaticTable(first) : (first.routes() as Middleware));
        koa.use(second.routes() as Middleware);
        return inject(koa.callback(), { method: 'GET', url: '/passes-on' });
      }),
    );
    expect(answers[0]!.statusCode).to.equal(200);
    expect(answers[0]!.json()).to.deep.equal(answers[1]!.json());
  });

  it("gives a served handler its route template, and none of the router's matching it does not need", async () => {
    const router = new Router();
    router.get('/plain', echoRouterContext);
    const answer = await inject(app(router, true), { method: 'GET', url: '/plain' });
    expect(answer.json()).to.deep.equal({
      route: '/plain',
      routeMatched: null,
      routerPath: null,
      params: null,
      requestParams: null,
      captures: null,
      router: null,
      matched: [],
    });
  });

  it("hands what comes after a handler that passes on the router's whole context, as the router alone does", async () => {
    const answers = await Promise.all(
      [true, false].map((withTable) => {
        const router = new Router();
        router.get('/passes-on', (_ctx, next) => next());
        const koa = new Koa();
        koa.use(withTable ? routesWithStaticTable(router) : (router.routes() as Middleware));
        koa.use(echoRouterContext);
        return inject(koa.callback(), { method: 'GET', url: '/passes-on' });
      }),
    );
    expect(answers[0]!.json()).to.deep.equal({
      route: '/passes-on',
      routeMatched: true,
      routerPath: '/passes-on',
      params: {},
      requestParams: {},
      captures: [],
      router: 'set',
      matched: ['/passes-on'],
    });
    expect(answers[0]!.json()).to.deep.equal(answers[1]!.json());
  });
});
