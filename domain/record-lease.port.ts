/**
 * A short, owner-checked lease that lets one instance of many refresh a key while the others
 * wait for its result. A lease that was not released expires by itself after `ttlMs`.
 */
export interface RecordLease {
  /** Resolves to an owner token when this caller got the lease, or null when another holds it. */
  acquire(key: string, ttlMs: number): Promise<string | null>;
  /** Releases the lease only if `token` still owns it. */
  release(key: string, token: string): Promise<void>;
}
