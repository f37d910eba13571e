import type { Trade } from "@torghut/contracts";
import type { Logger } from "../logger";
import type { CloseReport, TickWriterStats } from "./tick-writer-options";
import {
  ticksLost,
  writerBatchFailures,
  writerCommitLag,
  writerCommittedTicks,
  writerDroppedTicks,
} from "./metrics";

export type DropReason = "buffer_full" | "closed" | "invalid_event_time" | "rejected_by_database";

/**
 * What the tick writer counts (accepted, committed, dropped and why, lost; the last commit and
 * failure), with the metrics and the log lines that go with each count.
 */
export class WriterTally {
  accepted = 0;
  committed = 0;
  dropped = 0;
  lost = 0;
  lastCommitAt: number | null = null;
  commitLagMs: number | null = null;
  consecutiveFailures = 0;
  lastError: string | null = null;
  private droppingSince: number | null = null;
  private reported = false;

  constructor(
    private readonly logger: Logger,
    private readonly bufferMaxTicks: number,
  ) {}

  drop(reason: DropReason, count: number, now: number): false {
    this.dropped += count;
    writerDroppedTicks.inc({ reason }, count);
    if (reason === "buffer_full" && this.droppingSince === null) {
      this.droppingSince = now;
      this.logger.error({ bufferMaxTicks: this.bufferMaxTicks }, "tick writer buffer full: dropping ticks");
    }
    return false;
  }

  /** A tick was accepted: if the buffer was dropping, say it has room again. */
  accept(): number {
    if (this.droppingSince !== null) {
      this.logger.warn({ dropped: this.dropped }, "tick writer buffer has room again");
      this.droppingSince = null;
    }
    return this.accepted++;
  }

  commit(rows: number, trades: readonly Trade[], now: number): void {
    let oldest = Infinity;
    for (const trade of trades) if (trade.receivedAt < oldest) oldest = trade.receivedAt;
    this.committed += rows;
    this.lastCommitAt = now;
    this.consecutiveFailures = 0;
    if (oldest !== Infinity) {
      this.commitLagMs = Math.max(0, now - oldest);
      writerCommitLag.observe(this.commitLagMs / 1000);
    }
    writerCommittedTicks.inc(rows);
  }

  /** A batch failed; a retryable failure counts toward the backoff. */
  failure(message: string, retryable: boolean): void {
    this.lastError = message;
    writerBatchFailures.inc({ retryable: String(retryable) });
    if (retryable) this.consecutiveFailures++;
  }

  /** Ticks neither committed nor spooled at shutdown. */
  lose(count: number): void {
    if (count === 0) return;
    this.lost += count;
    ticksLost.inc({ reason: "shutdown" }, count);
    this.logger.error({ lost: count }, "tick writer closed before flushing: ticks lost");
  }

  stats(): Omit<TickWriterStats, "queueDepth" | "spooled" | "replayed" | "commit"> {
    const { accepted, committed, dropped, lastCommitAt, commitLagMs, consecutiveFailures, lastError, lost } =
      this;
    return { accepted, committed, dropped, lastCommitAt, commitLagMs, consecutiveFailures, lastError, lost };
  }

  /** Totals since start, logged once: the shutdown's "flushed, spooled, lost" line. */
  report(spool: { spooled: number; bytes: number }, forced: boolean): CloseReport {
    const { accepted, dropped, committed, lost } = this;
    const report: CloseReport = {
      accepted,
      dropped,
      committed,
      spooled: spool.spooled,
      lost,
      spoolBytes: spool.bytes,
    };
    if (!this.reported)
      this.logger.info(
        { ...report, forced },
        lost === 0 ? "tick writer closed: nothing lost" : "tick writer closed: ticks lost",
      );
    this.reported = true;
    return report;
  }
}
