import type { Clock, TimerHandle } from "../clock";

/** The longest a trailing emission waits past its key's interval to share a timer with others. */
export const MAX_SLOT_MS = 10;

/**
 * Latest-value throttle: at most one emission per `intervalMs` per key. Inside the interval the
 * newest value replaces the pending one and a trailing edge emits it, so the last update of a
 * burst is always delivered (a dashboard wants the newest price, not every price).
 *
 * Trailing edges fall on a grid of slots (at most MAX_SLOT_MS, dividing the interval): every key
 * due in one slot is emitted by one timer, in one synchronous run, so the hub sends each client
 * those updates in one write — one WebSocket message. With a timer per key, each trailing update
 * left as a message of its own: a page watching 500 busy symbols took up to 20,000 messages a
 * second and paid the browser's cost per message on each. A trailing edge counts from its slot, so
 * a key updated without pause still gets exactly one emission per interval.
 */
export class LatestValueThrottle<T> {
  private readonly lastEmitAt = new Map<string, number>();
  private readonly pending = new Map<string, T>();
  private readonly slots = new Map<number, { keys: string[]; timer: TimerHandle }>();
  private readonly slotMs: number;
  private superseded = 0;

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly emit: (key: string, value: T) => void,
  ) {
    this.slotMs = intervalMs / Math.max(1, Math.ceil(intervalMs / MAX_SLOT_MS));
  }

  /** Values replaced by a newer one before they were emitted. */
  get supersededCount(): number {
    return this.superseded;
  }

  offer(key: string, value: T): void {
    if (this.intervalMs <= 0) {
      this.emit(key, value);
      return;
    }
    if (this.pending.has(key)) {
      this.pending.set(key, value);
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
    this.pending.set(key, value);
    // The first slot at or after the key's interval ends (a hair of tolerance: the slot's width
    // need not be a whole number of ms, and float division must not push a due edge a slot late).
    const slot = Math.ceil((last + this.intervalMs) / this.slotMs - 1e-9) * this.slotMs;
    const due = this.slots.get(slot);
    if (due !== undefined) {
      due.keys.push(key);
      return;
    }
    const timer = this.clock.setTimeout(() => this.flush(slot), slot - now);
    this.slots.set(slot, { keys: [key], timer });
  }

  /** Cancel every trailing timer (shutdown). Pending values are dropped. */
  dispose(): void {
    for (const { timer } of this.slots.values()) this.clock.clearTimeout(timer);
    this.slots.clear();
    this.pending.clear();
  }

  private flush(slot: number): void {
    const due = this.slots.get(slot);
    if (due === undefined) return;
    this.slots.delete(slot);
    for (const key of due.keys) {
      // Every key of a slot is pending until here: only dispose() clears them, with the slots.
      const value = this.pending.get(key)!;
      this.pending.delete(key);
      this.lastEmitAt.set(key, slot);
      this.emit(key, value);
    }
  }
}
