import { randomUUID } from 'node:crypto';
import type { Clock } from '../../domain/clock.port.js';
import type { RecordLease } from '../../domain/record-lease.port.js';

/** A lease among callers of one process (tests, and the contract the Redis lease must meet). */
export class MemoryRecordLease implements RecordLease {
  private readonly held = new Map<string, { token: string; expiresAt: number }>();

  constructor(private readonly clock: Clock) {}

  async acquire(key: string, ttlMs: number): Promise<string | null> {
    const current = this.held.get(key);
    if (current && current.expiresAt > this.clock.now()) return null;
    const token = randomUUID();
    this.held.set(key, { token, expiresAt: this.clock.now() + ttlMs });
    return token;
  }

  async release(key: string, token: string): Promise<void> {
    if (this.held.get(key)?.token === token) this.held.delete(key);
  }
}
