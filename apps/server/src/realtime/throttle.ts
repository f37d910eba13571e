import type { Clock, TimerHandle } from "../clock";

/**
 * Latest-value throttle: at most one emission per `intervalMs` per key. Inside the interval the
 * newest value replaces the pending one and a trailing timer emits it, so the last update of a
 * burst is always delivered (a dashboard wants the newest price, not every price).
 */
export class LatestValueThrottle<T> {
  private readonly lastEmitAt = new Map<string, number>();
  private readonly pending = new Map<string, { value: T; timer: TimerHandle }>();
  private superseded = 0;

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly emit: (key: string, value: T) => void,
  ) {}

  /** Values replaced by a newer one before they were emitted. */
  get supersededCount(): number {
    return this.superseded;
  }

  offer(key: string, value: T): void {
    if (this.intervalMs <= 0) {
      this.emit(key, value);
      return;
    }
    const waiting = this.pending.get(key);
    if (waiting !== undefined) {
      waiting.value = value;
      this.superseded += 1;
      return;
    }
    const now = this.clock.now();
    const last = this.lastEmitAt.get(key);
    if (last === undefined || now - last >= this.intervalMs) {
      this.lastEmitAt.set(key, now);
      this.emit(key, value);
      return;
    }
    const timer = this.clock.setTimeout(() => this.flush(key), last + this.intervalMs - now);
    this.pending.set(key, { value, timer });
  }

  /** Cancel every trailing timer (shutdown). Pending values are dropped. */
  dispose(): void {
    for (const { timer } of this.pending.values()) this.clock.clearTimeout(timer);
    this.pending.clear();
  }

  private flush(key: string): void {
    const waiting = this.pending.get(key);
    if (waiting === undefined) return;
    this.pending.delete(key);
    this.lastEmitAt.set(key, this.clock.now());
    this.emit(key, waiting.value);
  }
}
