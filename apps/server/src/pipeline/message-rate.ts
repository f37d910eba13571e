/**
 * Messages per second over the last few whole seconds, on the injected clock. O(1) per message:
 * a counter for the current second, rotated when the second changes.
 */
export class MessageRate {
  private readonly counts: Float64Array;
  private currentSecond: number;
  private total = 0;

  constructor(
    private readonly windowSeconds: number,
    now: number,
  ) {
    this.counts = new Float64Array(windowSeconds + 1);
    this.currentSecond = Math.floor(now / 1000);
  }

  add(now: number, count = 1): void {
    const second = Math.floor(now / 1000);
    if (second !== this.currentSecond) this.rotate(second);
    this.counts[second % this.counts.length]! += count;
    this.total += count;
  }

  /** Average over the last `windowSeconds` complete seconds (the running second is excluded). */
  perSecond(now: number): number {
    const second = Math.floor(now / 1000);
    if (second !== this.currentSecond) this.rotate(second);
    let sum = 0;
    for (let s = second - this.windowSeconds; s < second; s++)
      sum += this.counts[((s % this.counts.length) + this.counts.length) % this.counts.length]!;
    return sum / this.windowSeconds;
  }

  get count(): number {
    return this.total;
  }

  private rotate(second: number): void {
    const gap = Math.min(this.counts.length, Math.max(0, second - this.currentSecond));
    for (let i = 1; i <= gap; i++) this.counts[(this.currentSecond + i) % this.counts.length] = 0;
    this.currentSecond = second;
  }
}
