import type { Database } from "@torghut/db";
import type { Logger } from "pino";
import type { Clock, TimerHandle } from "../clock";
import type { RejectedTick } from "../validation/trade-validator";
import { recordRejections, type ValidationRejection } from "./repositories";

/**
 * Persists rejected ticks (the audit trail that makes "never silently dropped" checkable). The
 * pipeline hands them over synchronously; they are written in batches once a second. A database
 * outage keeps at most `maxPending` of them and counts the rest in the log.
 */
export class RejectionRecorder {
  private pending: ValidationRejection[] = [];
  private readonly timer: TimerHandle;
  private writing: Promise<void> = Promise.resolve();
  private droppedWhileFull = 0;

  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly maxPending = 100_000,
  ) {
    this.timer = clock.setInterval(() => void this.flush(), 1000);
  }

  record(rejection: RejectedTick): void {
    if (this.pending.length >= this.maxPending) {
      this.droppedWhileFull += 1;
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
        this.pending = batch.concat(this.pending).slice(0, this.maxPending);
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

  async close(): Promise<void> {
    this.clock.clearInterval(this.timer);
    await this.flush();
  }
}
