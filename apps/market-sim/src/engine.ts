/**
 * Drives simulated time forward: market slots (fixed width, aligned to the epoch) interleaved with
 * the timeline's timers in time order. Events of a slot are published once the slot has passed.
 */
import type { Timeline } from "./clock";
import type { MarketEvent } from "./market/events";
import type { MarketModel } from "./market/model";

export const SLOT_MS = 10;
/** In real-time mode, never generate more than this much backlog after a stall of the process. */
const MAX_CATCH_UP_MS = 2_000;

export class Engine {
  private current: number;
  private nextSlot: number;

  constructor(
    private readonly model: MarketModel,
    private readonly timeline: Timeline,
    startMs: number,
    private readonly publish: (events: MarketEvent[]) => void,
  ) {
    this.current = startMs;
    this.nextSlot = Math.ceil(startMs / SLOT_MS) * SLOT_MS;
  }

  now(): number {
    return this.current;
  }

  advanceTo(target: number, realTime = false): void {
    if (target <= this.current) return;
    if (realTime && target - this.nextSlot > MAX_CATCH_UP_MS) {
      this.nextSlot = Math.floor((target - MAX_CATCH_UP_MS) / SLOT_MS) * SLOT_MS;
    }
    for (;;) {
      const timerAt = this.timeline.nextAt();
      const slotEnd = this.nextSlot + SLOT_MS;
      if (timerAt <= target && timerAt <= this.nextSlot) {
        this.fireTimer(target);
        continue;
      }
      if (slotEnd > target) break;
      const events: MarketEvent[] = [];
      this.model.advanceSlot(this.nextSlot, SLOT_MS, events);
      this.current = Math.max(this.current, slotEnd);
      this.nextSlot = slotEnd;
      if (events.length > 0) this.publish(events);
    }
    while (this.timeline.nextAt() <= target) this.fireTimer(target);
    this.current = target;
  }

  private fireTimer(target: number): void {
    const timer = this.timeline.takeDue(target);
    if (!timer) return;
    this.current = Math.max(this.current, timer.at);
    timer.fire();
  }
}
