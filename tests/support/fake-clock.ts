import type { Clock } from '../../domain/clock.port.js';

/**
 * A clock that moves only when told. `sleep` advances it by the time slept, after letting
 * everything already under way run first (one turn of the event loop): a wait costs no real
 * time, and work that needs no timer (the in-memory adapters) finishes before a timer it races.
 */
export class FakeClock implements Clock {
  constructor(private current = Date.parse('2026-01-01T00:00:00Z')) {}

  now(): number {
    return this.current;
  }

  async sleep(ms: number): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    this.current += ms;
  }

  advance(ms: number): void {
    this.current += ms;
  }
}
