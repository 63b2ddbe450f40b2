import type { Middleware } from 'koa';
import type { WriteAccess, WriteGuards } from '../../../application/write-guards.port.js';
import { clientAddress } from '../client-address.js';
import { exposedHttpError } from '../http-errors.js';

/** The realm of the `WWW-Authenticate` challenge (RFC 6750, 3). */
const REALM = 'ping-service';
/** `Authorization: Bearer <b64token>` (RFC 6750, 2.1); the scheme is case-insensitive. */
const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i;
/** The policy's name in the `RateLimit-Policy` and `RateLimit` fields. */
const POLICY = 'writes';

/**
 * With WRITE_TOKENS set, a write needs one of the tokens (RFC 6750): without a bearer credential
 * the answer is 401 with a bare challenge; with one that is not accepted, 401 with
 * `error="invalid_token"`. Nothing is read or stored before this passes. The token is never
 * logged: the access log has no headers, and the logger masks the configured tokens anyway.
 */
export function requireWriteToken(access: WriteAccess): Middleware {
  return async (ctx, next) => {
    if (!access.required) return next();
    const credential = BEARER.exec(ctx.get('Authorization'))?.[1];
    if (credential === undefined) {
      ctx.set('WWW-Authenticate', `Bearer realm="${REALM}"`);
      throw exposedHttpError(401, 'this write needs Authorization: Bearer <token>', 'missing_token');
    }
    if (!access.accepts(credential)) {
      ctx.set('WWW-Authenticate', `Bearer realm="${REALM}", error="invalid_token"`);
      throw exposedHttpError(401, 'the bearer token is not accepted', 'invalid_token');
    }
    return next();
  };
}

/**
 * Counts the write against its client (client-address.ts) and refuses it past the limit: 429
 * with `Retry-After` and the limit fields of draft-ietf-httpapi-ratelimit-headers (-10 and -11
 * spell them alike): `RateLimit-Policy: "writes";q=<limit>;w=<window>` and
 * `RateLimit: "writes";r=<remaining>;t=<seconds to reset>`, on every counted answer, so a client
 * can pace itself before it is refused. Runs after the token check: an anonymous flood costs no
 * Redis call, and cannot spend a writer's allowance from behind the same address.
 */
export function limitWrites(guards: WriteGuards): Middleware {
  const limiter = guards.limiter;
  return async (ctx, next) => {
    if (!limiter) return next();
    const decision = await limiter.consume(clientAddress(ctx, guards.trustedProxyHops));
    ctx.set('RateLimit-Policy', `"${POLICY}";q=${limiter.limit};w=${limiter.windowSeconds}`);
    ctx.set('RateLimit', `"${POLICY}";r=${decision.remaining};t=${decision.resetSeconds}`);
    if (!decision.allowed) {
      ctx.set('Retry-After', String(decision.resetSeconds));
      throw exposedHttpError(
        429,
        `at most ${limiter.limit} writes per ${limiter.windowSeconds} s from one client: retry in ${decision.resetSeconds} s`,
        'rate_limited',
      );
    }
    return next();
  };
}
