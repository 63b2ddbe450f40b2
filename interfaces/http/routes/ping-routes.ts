import type Router from '@koa/router';
import type { PingUseCases } from '../../../application/ping-use-cases.js';
import { readJsonBody } from '../json-body.js';
import { parseListPingsQuery, parseRecordPingBody } from '../request-schemas.js';
import { lastPingAnswerJson, toPingJson, xCacheHeader } from '../ping-json.js';
import { answerJson, answerJsonText } from '../json-answer.js';
import { setResponseHeader } from '../response-header.js';

/** The product routes: parse, call a use case, shape the answer. Nothing else lives here. */
export function addPingRoutes(router: Router, pings: PingUseCases): void {
  // The cache-hit path: a `then` rather than an `async` handler, one frame less per request.
  router.get('/ping', (ctx) =>
    pings.getLastPing().then((result) => {
      setResponseHeader(ctx, 'X-Cache', xCacheHeader(result.outcome));
      setResponseHeader(ctx, 'Cache-Control', 'no-store');
      answerJsonText(ctx, lastPingAnswerJson(result));
    }),
  );

  router.post('/pings', async (ctx) => {
    const ping = await pings.recordPing(parseRecordPingBody(await readJsonBody(ctx)));
    ctx.status = 201;
    setResponseHeader(ctx, 'Location', `/pings?before=${ping.id + 1}&limit=1`);
    answerJson(ctx, { ping: toPingJson(ping) });
  });

  router.get('/pings', async (ctx) => {
    const { limit, before } = parseListPingsQuery(ctx.query);
    const page = await pings.listPings(limit, before);
    setResponseHeader(ctx, 'Cache-Control', 'no-store');
    answerJson(ctx, { items: page.items.map(toPingJson), nextBefore: page.nextBefore });
  });
}
