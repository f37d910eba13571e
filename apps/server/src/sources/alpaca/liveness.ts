import WebSocket from "ws";
import type { Clock } from "../../clock";
import * as metrics from "./metrics";
import type { SessionTimers } from "./session-timers";

export interface LivenessOptions {
  messageTimeoutMs: number;
  pingIntervalMs: number;
  pongTimeoutMs: number;
}

/**
 * Two independent checks, because an Alpaca socket can answer pings and still deliver nothing
 * (reference §1.8): WebSocket ping/pong for a dead transport, and a receive-side data watchdog for a
 * silent-but-open session. Either calls `onDead(reason, destroy)`.
 */
export class Liveness {
  private lastDataAt: number | null = null;
  private watchedSince = 0;

  constructor(
    private readonly clock: Clock,
    private readonly timers: SessionTimers,
    private readonly options: LivenessOptions,
    private readonly onDead: (reason: string, destroy: boolean) => void,
  ) {}

  /** Epoch ms of the last data message, across sessions. */
  get lastData(): number | null {
    return this.lastDataAt;
  }

  /** Hot path: one assignment per frame; the watchdog timer reads it once per period. */
  dataReceived(at: number): void {
    this.lastDataAt = at;
  }

  startPinging(socket: WebSocket): void {
    this.timers.every("ping", this.options.pingIntervalMs, () => {
      if (socket.readyState !== WebSocket.OPEN || this.timers.has("pong")) return;
      socket.ping();
      this.timers.set("pong", this.options.pongTimeoutMs, () => {
        metrics.alpacaWatchdogTrips.inc({ kind: "pong" });
        this.onDead(`no pong within ${this.options.pongTimeoutMs} ms`, true);
      });
    });
  }

  pongReceived(): void {
    this.timers.clear("pong");
  }

  /** Arms the data watchdog from now; `subscribed` says whether silence means anything. */
  watch(subscribed: () => boolean): void {
    this.watchedSince = this.clock.now();
    this.arm(this.options.messageTimeoutMs, subscribed);
  }

  /** Fires once per timeout period rather than per frame, re-arming for the remaining time. */
  private arm(delayMs: number, subscribed: () => boolean): void {
    const timeout = this.options.messageTimeoutMs;
    if (timeout <= 0) return;
    this.timers.set("watchdog", delayMs, () => {
      const since = Math.max(this.lastDataAt ?? 0, this.watchedSince);
      const idle = this.clock.now() - since;
      if (!subscribed()) return this.arm(timeout, subscribed);
      if (idle < timeout) return this.arm(timeout - idle, subscribed);
      metrics.alpacaWatchdogTrips.inc({ kind: "silence" });
      this.onDead(`no data for ${Math.round(idle / 1000)} s while subscribed`, false);
    });
  }
}
