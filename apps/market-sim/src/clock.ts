/**
 * Simulated time. Everything time-based in the simulator (market slots, auth windows, stale
 * sessions, timed faults) runs off this clock, so tests drive it with `advance(ms)` and nothing
 * sleeps. In real-time mode a short interval timer advances it to the wall clock.
 */
export interface TimerHandle {
  readonly at: number;
  cancelled: boolean;
}

interface Timer extends TimerHandle {
  seq: number;
  fire: () => void;
}

export class Timeline {
  private timers: Timer[] = [];
  private seq = 0;

  schedule(at: number, fire: () => void): TimerHandle {
    const timer: Timer = { at, fire, cancelled: false, seq: this.seq++ };
    this.timers.push(timer);
    return timer;
  }

  cancel(handle: TimerHandle | null | undefined): void {
    if (handle) handle.cancelled = true;
  }

  /** Earliest pending timer time, or +∞. */
  nextAt(): number {
    let next = Number.POSITIVE_INFINITY;
    for (const timer of this.timers) if (!timer.cancelled && timer.at < next) next = timer.at;
    return next;
  }

  /** Removes and returns the earliest timer due at or before `time`, in (time, insertion) order. */
  takeDue(time: number): Timer | null {
    let best: Timer | null = null;
    let bestIndex = -1;
    for (let i = 0; i < this.timers.length; i++) {
      const timer = this.timers[i]!;
      if (timer.cancelled || timer.at > time) continue;
      if (!best || timer.at < best.at || (timer.at === best.at && timer.seq < best.seq)) {
        best = timer;
        bestIndex = i;
      }
    }
    if (bestIndex >= 0) this.timers.splice(bestIndex, 1);
    if (this.timers.length > 64) this.timers = this.timers.filter((t) => !t.cancelled);
    return best;
  }
}
