import type { Clock } from "../clock";

/**
 * Fixed-window rate per key (a client address, an actor): protects the paths behind it (a token
 * check, an audit row, a hub session) from a flood. Stale windows are swept when the map grows, so
 * it stays bounded whatever the keys.
 */
export class FixedWindowLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly maxPerWindow: number,
    readonly windowMs: number,
  ) {}

  allow(key: string): boolean {
    return this.take(key) <= this.maxPerWindow;
  }

  /**
   * Counts one attempt and returns how many `key` made in this window, this one included: over the
   * limit when larger than it; exactly limit + 1 for the first refused one. 0 when the limit is off.
   */
  take(key: string): number {
    if (this.maxPerWindow <= 0) return 0;
    const now = this.clock.now();
    const window = this.windows.get(key);
    if (window === undefined || now - window.start >= this.windowMs) {
      if (this.windows.size > 10_000) this.sweep(now);
      this.windows.set(key, { start: now, count: 1 });
      return 1;
    }
    window.count += 1;
    return window.count;
  }

  get limit(): number {
    return this.maxPerWindow;
  }

  private sweep(now: number): void {
    for (const [key, window] of this.windows)
      if (now - window.start >= this.windowMs) this.windows.delete(key);
  }
}
