/**
 * Tokens of the connections the adapters share (one pool, one Redis client for cache and lease).
 * Infrastructure-only, so they live here rather than in application/tokens.ts; tests may
 * override them like any other token.
 */
export const BACKEND_TOKENS = {
  PingDatabase: Symbol.for('ping-service.PingDatabase'),
  RedisConnection: Symbol.for('ping-service.RedisConnection'),
  RedisBreaker: Symbol.for('ping-service.RedisBreaker'),
} as const;
