import type Router from '@koa/router';
import type { PingUseCases } from '../../../application/ping-use-cases.js';
import type { WriteGuards } from '../../../application/write-guards.port.js';
import { readJsonBody } from '../json-body.js';
import { parseListPingsQuery, parseRecordPingBody } from '../request-schemas.js';
import { lastPingAnswerJson, toPingJson, xCacheHeader } from '../ping-json.js';
import { limitWrites, requireWriteToken } from './write-guards.js';

/**
 * The product routes: parse, call a use case, shape the answer. Writes pass their guards first
 * (a token, then the per-client limit); reads are open and unlimited here: a page is bounded (at
 * most 100 rows by the primary key, within the statement budget), adds nothing to the table, and
 * a read flood is the load shedding's and the ingress's to cut, not a per-client count's (which
 * would put a Redis call in front of every read).
 */
export function addPingRoutes(router: Router, pings: PingUseCases, writes: WriteGuards): void {
  router.get('/ping', async (ctx) => {
    const result = await pings.getLastPing();
    ctx.set('X-Cache', xCacheHeader(result.outcome));
    ctx.set('Cache-Control', 'no-store');
    // Serialised once per cache entry (ping-json.ts): set the type, then the text.
    ctx.type = 'json';
    ctx.body = lastPingAnswerJson(result);
  });

  router.post('/pings', requireWriteToken(writes.access), limitWrites(writes), async (ctx) => {
    const ping = await pings.recordPing(parseRecordPingBody(await readJsonBody(ctx)));
    ctx.status = 201;
    ctx.set('Location', `/pings?before=${ping.id + 1}&limit=1`);
    ctx.body = { ping: toPingJson(ping) };
  });

  router.get('/pings', async (ctx) => {
    const { limit, before } = parseListPingsQuery(ctx.query);
    const page = await pings.listPings(limit, before);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { items: page.items.map(toPingJson), nextBefore: page.nextBefore };
  });
}
