import type { Clock } from '../../domain/clock.port.js';

/** A clock that moves only when told; `sleep` advances it at once, so waits cost no real time. */
export class FakeClock implements Clock {
  constructor(private current = Date.parse('2026-01-01T00:00:00Z')) {}

  now(): number {
    return this.current;
  }

  async sleep(ms: number): Promise<void> {
    this.current += ms;
  }

  advance(ms: number): void {
    this.current += ms;
  }
}
