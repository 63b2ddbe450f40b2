import { createHash, timingSafeEqual } from 'node:crypto';
import type { WriteAccess } from '../../application/write-guards.port.js';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * The write tokens of WRITE_TOKENS, kept as SHA-256 digests and compared with
 * `crypto.timingSafeEqual`: every digest has the same length whatever the token, so neither the
 * comparison nor a length check can tell a caller how close a guess was, or how long a token is.
 * Every configured token is compared (no early exit), so the time does not say which one matched.
 */
export class HashedWriteTokens implements WriteAccess {
  readonly required = true;
  private readonly digests: readonly Buffer[];

  constructor(tokens: readonly string[]) {
    if (tokens.length === 0) throw new Error('HashedWriteTokens needs at least one token');
    this.digests = tokens.map(sha256);
  }

  accepts(token: string): boolean {
    const presented = sha256(token);
    let accepted = false;
    for (const digest of this.digests) accepted = timingSafeEqual(digest, presented) || accepted;
    return accepted;
  }
}
