import type { OpsSample } from "@torghut/contracts";
import type { Clock, TimerHandle } from "../clock";

/**
 * A short in-memory history of the figures the ops console charts (message rate, feed lag, writer
 * lag, connected clients): one sample every `intervalMs`, the last `keep` kept (default 5 s × 720 =
 * one hour). Lost on restart by design: Prometheus keeps the long history.
 */
export class OpsHistory {
  private readonly buffer: OpsSample[] = [];
  private timer: TimerHandle | null = null;
  readonly intervalMs: number;
  private readonly keep: number;

  constructor(
    private readonly clock: Clock,
    private readonly sample: () => Omit<OpsSample, "at">,
    options: { intervalMs?: number; keep?: number } = {},
  ) {
    this.intervalMs = options.intervalMs ?? 5_000;
    this.keep = options.keep ?? 720;
  }

  start(): void {
    if (this.timer !== null) return;
    this.take();
    this.timer = this.clock.setInterval(() => this.take(), this.intervalMs);
  }

  stop(): void {
    if (this.timer !== null) this.clock.clearInterval(this.timer);
    this.timer = null;
  }

  samples(): readonly OpsSample[] {
    return this.buffer;
  }

  private take(): void {
    this.buffer.push({ at: this.clock.now(), ...this.sample() });
    if (this.buffer.length > this.keep) this.buffer.splice(0, this.buffer.length - this.keep);
  }
}
