import type { Clock } from '../../domain/clock.port.js';

/** A call the watch is waiting on; `caught` once a silence was counted while it waited. */
export interface WaitingCall {
  readonly startedAt: number;
  caught: boolean;
}

/**
 * Watches for a dependency that answers nothing while calls wait on it: once the oldest waiting
 * call has heard nothing for `boundMs` (no answer to any call since it began, or for that long
 * before now), `onSilence` runs once, and the calls it caught are marked, so their own failure
 * later is not counted again. Time is read from the clock; a timer only wakes the watch when the
 * silence would reach the bound, so a silence is seen even when no other call comes.
 */
export class SilenceWatch {
  private readonly waiting = new Set<WaitingCall>();
  private lastAnsweredAt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly boundMs: number,
    private readonly onSilence: () => void,
  ) {}

  begin(): WaitingCall {
    const call: WaitingCall = { startedAt: this.clock.now(), caught: false };
    this.waiting.add(call);
    this.schedule();
    return call;
  }

  /** The call is over; `answered`: the dependency answered it (a success, or a defect's error). */
  end(call: WaitingCall, answered: boolean): void {
    this.waiting.delete(call);
    if (answered) this.lastAnsweredAt = this.clock.now();
  }

  /** Looks at the clock now: a silence that has reached the bound is counted. */
  check(): void {
    const since = this.silentSince();
    if (since === null || this.clock.now() - since < this.boundMs) return;
    for (const call of this.waiting) call.caught = true;
    this.waiting.clear();
    this.onSilence();
  }

  /** Since when the oldest waiting call has heard nothing; null while none waits. */
  private silentSince(): number | null {
    const oldest = this.waiting.values().next();
    return oldest.done ? null : Math.max(oldest.value.startedAt, this.lastAnsweredAt);
  }

  /**
   * Sets the one timer, for when the silence would reach the bound, unless one is pending: the
   * silence only ever starts later (the oldest waiting call leaves, a call is answered), so a
   * pending timer is never late, and when it fires early it looks again. So a timer is pending
   * whenever a call waits, and a call that begins or ends sets none of its own.
   */
  private schedule(): void {
    if (this.timer !== undefined) return;
    const since = this.silentSince();
    if (since === null) return;
    const due = since + this.boundMs - this.clock.now();
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.check();
        this.schedule();
      },
      Math.max(1, due),
    ).unref();
  }
}
