import { systemClock, type Clock } from "../clock";
import type { Leadership } from "./leadership";

/** "always": the only ingest process (PGlite). "never": ROLE=realtime, which never connects upstream. */
export class FixedLeadership implements Leadership {
  private leading = false;
  private since: number | null = null;
  private readonly listeners = new Set<(isLeader: boolean) => void>();

  constructor(
    readonly kind: "always" | "never",
    private readonly clock: Clock = systemClock,
  ) {}

  get isLeader(): boolean {
    return this.leading;
  }

  get leaderSince(): number | null {
    return this.since;
  }

  onChange(listener: (isLeader: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  start(): Promise<void> {
    if (this.kind === "always" && !this.leading) this.set(true);
    return Promise.resolve();
  }

  stop(): Promise<void> {
    if (this.leading) this.set(false);
    return Promise.resolve();
  }

  private set(leading: boolean): void {
    this.leading = leading;
    this.since = leading ? this.clock.now() : null;
    for (const listener of this.listeners) listener(leading);
  }
}
