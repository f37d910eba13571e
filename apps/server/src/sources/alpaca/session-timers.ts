import type { Clock, TimerHandle } from "../../clock";

type TimerName =
  "handshake" | "ping" | "pong" | "watchdog" | "stable" | "close" | "reconnect" | "credentials";

/** Timers that outlive a single socket: everything else is cleared when a session ends. */
const ACROSS_SESSIONS: ReadonlySet<TimerName> = new Set(["reconnect", "credentials"]);

/** Named one-shot and repeating timers on the injected clock; setting a name replaces its timer. */
export class SessionTimers {
  private readonly active = new Map<TimerName, { handle: TimerHandle; repeating: boolean }>();

  constructor(private readonly clock: Clock) {}

  set(name: TimerName, ms: number, fn: () => void): void {
    this.clear(name);
    const handle = this.clock.setTimeout(() => {
      if (this.active.get(name)?.handle === handle) this.active.delete(name);
      fn();
    }, ms);
    this.active.set(name, { handle, repeating: false });
  }

  every(name: TimerName, ms: number, fn: () => void): void {
    this.clear(name);
    this.active.set(name, { handle: this.clock.setInterval(fn, ms), repeating: true });
  }

  has(name: TimerName): boolean {
    return this.active.has(name);
  }

  clear(name: TimerName): void {
    const timer = this.active.get(name);
    if (timer === undefined) return;
    this.active.delete(name);
    if (timer.repeating) this.clock.clearInterval(timer.handle);
    else this.clock.clearTimeout(timer.handle);
  }

  /** Clears the timers that belong to the socket that just closed. */
  clearSession(): void {
    for (const name of [...this.active.keys()]) if (!ACROSS_SESSIONS.has(name)) this.clear(name);
  }

  clearAll(): void {
    for (const name of [...this.active.keys()]) this.clear(name);
  }
}
