import { createRequire } from 'node:module';
import type * as NodeHttp from 'node:http';
import type KoaRouter from '@koa/router';

/**
 * node:http and @koa/router, loaded with require rather than ES imports. Node builds the ES
 * namespace of a builtin by reading every export, and node:http's lazy `WebSocket` getter then
 * loads undici (fetch, WebSocket), which this service never uses: about 2 MiB of heap and 4 MiB
 * of RSS (docs/performance.md). @koa/router's ES build imports node:http itself, its CommonJS
 * build requires it. tests/delivery/production-smoke.test.ts checks that undici stays unloaded.
 */
const require = createRequire(import.meta.url);

export const { createServer, STATUS_CODES } = require('node:http') as typeof NodeHttp;
export const Router = require('@koa/router') as typeof KoaRouter;
