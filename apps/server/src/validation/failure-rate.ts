/**
 * Rejected / checked over a sliding window of one-second buckets, for the validation-failure alert.
 * `record` is O(1) on the hot path; a bucket is only rotated when the second changes.
 */
export class SlidingFailureRate {
  private readonly checked: Float64Array;
  private readonly rejected: Float64Array;
  private currentSecond: number;

  constructor(
    private readonly windowSeconds: number,
    now: number,
    /** Called once per completed second with that second's totals (e.g. to feed counters). */
    private readonly onSecond?: (checked: number, rejected: number) => void,
  ) {
    this.checked = new Float64Array(windowSeconds);
    this.rejected = new Float64Array(windowSeconds);
    this.currentSecond = Math.floor(now / 1000);
  }

  record(now: number, rejected: boolean): void {
    const second = Math.floor(now / 1000);
    if (second !== this.currentSecond) this.rotate(second);
    const slot = second % this.windowSeconds;
    this.checked[slot]! += 1;
    if (rejected) this.rejected[slot]! += 1;
  }

  /** Fraction of checked ticks rejected within the window ending at `now` (0 when nothing was checked). */
  rate(now: number): number {
    const second = Math.floor(now / 1000);
    if (second !== this.currentSecond) this.rotate(second);
    let checked = 0;
    let rejected = 0;
    for (let i = 0; i < this.windowSeconds; i++) {
      checked += this.checked[i]!;
      rejected += this.rejected[i]!;
    }
    return checked === 0 ? 0 : rejected / checked;
  }

  private rotate(second: number): void {
    const previous = this.currentSecond % this.windowSeconds;
    const checked = this.checked[previous]!;
    const rejected = this.rejected[previous]!;
    const gap = Math.min(this.windowSeconds, Math.max(0, second - this.currentSecond));
    for (let i = 1; i <= gap; i++) {
      const slot = (this.currentSecond + i) % this.windowSeconds;
      this.checked[slot] = 0;
      this.rejected[slot] = 0;
    }
    this.currentSecond = second;
    // After the rotation, so the callback may read rate() without recursing.
    this.onSecond?.(checked, rejected);
  }
}
