import type { Database } from "@torghut/db";
import type { Logger } from "../logger";
import type { Clock, TimerHandle } from "../clock";
import type { RejectedTick } from "@torghut/contracts";
import { rejectionsDropped } from "./metrics";
import { recordRejections, type ValidationRejection } from "./repositories";

/** A validation rejection, or a tick the writer refused ("rejected_by_database", "invalid_event_time"). */
export type RecordedRejection = Omit<RejectedTick, "reason"> & { reason: string };

/**
 * Persists rejected ticks (the audit trail that makes "never silently dropped" checkable). The
 * pipeline hands them over synchronously; they are written in batches once a second. A database
 * outage keeps at most `maxPending` of them; the rest are counted (torghut_rejections_dropped_total
 * {reason="buffer_full"}) and logged, never dropped silently.
 */
export class RejectionRecorder {
  private pending: ValidationRejection[] = [];
  private readonly timer: TimerHandle;
  private writing: Promise<void> = Promise.resolve();
  private droppedWhileFull = 0;
  private droppedCount = 0;

  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly maxPending = 100_000,
  ) {
    this.timer = clock.setInterval(() => void this.flush(), 1000);
  }

  record(rejection: RecordedRejection): void {
    if (this.pending.length >= this.maxPending) {
      this.dropped(1);
      return;
    }
    const { trade } = rejection;
    this.pending.push({
      symbol: trade.symbol,
      source: trade.source,
      eventTime: trade.eventTime,
      reason: rejection.reason,
      payload: { ...trade, detail: rejection.detail },
      at: rejection.rejectedAt,
    });
  }

  flush(): Promise<void> {
    this.writing = this.writing.then(async () => {
      if (this.pending.length === 0) return;
      const batch = this.pending;
      this.pending = [];
      try {
        await recordRejections(this.database, batch);
      } catch (error) {
        this.pending = batch.concat(this.pending);
        if (this.pending.length > this.maxPending) {
          this.dropped(this.pending.length - this.maxPending);
          this.pending.length = this.maxPending;
        }
        this.logger.warn(
          { err: error, queued: this.pending.length },
          "writing validation rejections failed; will retry",
        );
      }
      if (this.droppedWhileFull > 0) {
        this.logger.error(
          { dropped: this.droppedWhileFull },
          "validation rejections dropped: audit buffer full",
        );
        this.droppedWhileFull = 0;
      }
    });
    return this.writing;
  }

  /** Audit rows dropped since the recorder started (the metric counts them too). */
  get droppedTotal(): number {
    return this.droppedCount;
  }

  private dropped(count: number): void {
    this.droppedWhileFull += count;
    this.droppedCount += count;
    rejectionsDropped.inc({ reason: "buffer_full" }, count);
  }

  async close(): Promise<void> {
    this.clock.clearInterval(this.timer);
    await this.flush();
    // The database is down at shutdown: what is still pending is gone; count and say so.
    if (this.pending.length > 0) {
      const count = this.pending.length;
      this.pending = [];
      this.droppedCount += count;
      rejectionsDropped.inc({ reason: "shutdown" }, count);
      this.logger.error(
        { dropped: count },
        "validation rejections dropped at shutdown: database unavailable",
      );
    }
  }
}
