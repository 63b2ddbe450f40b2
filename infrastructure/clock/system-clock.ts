import { setTimeout as delay } from 'node:timers/promises';
import type { Clock } from '../../domain/clock.port.js';

export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }

  async sleep(ms: number): Promise<void> {
    await delay(ms);
  }
}
