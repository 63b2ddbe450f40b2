/** Outcomes counted over the last `windowMs`, in ten slices; time comes from the caller's clock. */
export class RollingWindow {
  private static readonly SLICES = 10;
  private readonly sliceMs: number;
  /** Slot `n % SLICES` holds slice `n` (`slice`); an older slice found there is stale. */
  private readonly slots = Array.from({ length: RollingWindow.SLICES }, () => ({
    slice: -Infinity,
    successes: 0,
    failures: 0,
  }));

  constructor(windowMs: number) {
    this.sliceMs = windowMs / RollingWindow.SLICES;
  }

  record(now: number, outcome: 'success' | 'failure'): void {
    const slice = Math.floor(now / this.sliceMs);
    const slot = this.slots[((slice % RollingWindow.SLICES) + RollingWindow.SLICES) % RollingWindow.SLICES]!;
    if (slot.slice !== slice) Object.assign(slot, { slice, successes: 0, failures: 0 });
    if (outcome === 'success') slot.successes++;
    else slot.failures++;
  }

  /** Calls and failures in the slices of the window that ends at `now`. */
  totals(now: number): { calls: number; failures: number } {
    const current = Math.floor(now / this.sliceMs);
    let calls = 0;
    let failures = 0;
    for (const slot of this.slots) {
      if (current - slot.slice >= RollingWindow.SLICES || slot.slice > current) continue;
      calls += slot.successes + slot.failures;
      failures += slot.failures;
    }
    return { calls, failures };
  }

  clear(): void {
    for (const slot of this.slots) slot.slice = -Infinity;
  }
}
