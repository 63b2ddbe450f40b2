/** Who may write: the bearer tokens of WRITE_TOKENS, or anyone. */
export interface WriteAccess {
  /** false: writes are open to anyone (no WRITE_TOKENS). */
  readonly required: boolean;
  /** Whether `token` is one of the configured tokens; in constant time, whatever it holds. */
  accepts(token: string): boolean;
}

/** What the limiter decided for one write. */
export interface RateLimitDecision {
  readonly allowed: boolean;
  /** Writes left to the client in the current window (0 once it is limited). */
  readonly remaining: number;
  /** Whole seconds until the window ends and the client may write again. */
  readonly resetSeconds: number;
}

/** How many writes one client may make per window, across every instance. */
export interface WriteRateLimiter {
  /** Writes per window: what the `RateLimit-Policy` header advertises. */
  readonly limit: number;
  readonly windowSeconds: number;
  /**
   * Counts one write of `client` (an address, or a prefix of one). Never rejects: when the shared
   * count cannot be reached, the instance counts on its own, so writes are never refused for
   * everyone because a counter is unreachable.
   */
  consume(client: string): Promise<RateLimitDecision>;
}

/** The guards of `POST /pings`, with the one HTTP setting they need. */
export interface WriteGuards {
  readonly access: WriteAccess;
  /** null: no limit (WRITE_RATE_LIMIT_PER_MINUTE=0, a gateway in front limits). */
  readonly limiter: WriteRateLimiter | null;
  /** Proxies in front whose `X-Forwarded-For` entry names the client (0: the socket's address). */
  readonly trustedProxyHops: number;
}

/** Anyone may write, as often as they like: compositions built by hand in tests. */
export const OPEN_WRITES: WriteGuards = {
  access: { required: false, accepts: () => true },
  limiter: null,
  trustedProxyHops: 0,
};
