import type { PrimaryGap } from "./snapshot";

/**
 * Gap bookkeeping for the backfill: from the last primary tick that reached the pipeline until the
 * primary feeds it again. The router says when the feed broke and when it resumed; this remembers
 * where the hole starts and reports it once, as a reconnect (no failover) or a failback.
 */
export class GapTracker {
  private startMs: number | null = null;
  private lastFedAt: number | null = null;

  constructor(private readonly report: (gap: PrimaryGap) => void) {}

  /** A primary tick reached the pipeline at `now`; closes a reconnect gap first, if one is open. */
  fed(now: number): void {
    this.close(now, "reconnect");
    this.lastFedAt = now;
  }

  /**
   * The primary feed broke (failure, silence, failover, manual reconnect). The gap starts at the
   * last tick fed, or at `fallbackAt` when none was; an open gap keeps its earlier start.
   */
  broke(fallbackAt: number): void {
    this.startMs ??= this.lastFedAt ?? fallbackAt;
  }

  /** Failback: the primary is active again at `at`. */
  failedBack(at: number): void {
    this.close(at, "failback");
  }

  private close(endMs: number, cause: PrimaryGap["cause"]): void {
    if (this.startMs === null) return;
    const gap: PrimaryGap = { startMs: this.startMs, endMs, cause };
    this.startMs = null;
    this.report(gap);
  }
}
