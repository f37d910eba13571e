import type { Trade } from "@torghut/contracts";
import type { Logger } from "../logger";
import type { Clock } from "../clock";
import { SpoolFullError, type TickSpool } from "../spool/ports";
import { spoolTicks } from "../spool/metrics";
import type { CommitHealthState } from "./commit-health";
import { toStoreWriteError, type StoreWriteError } from "./errors";
import type { TickChunk, TickQueue } from "./tick-queue";

/** What the spool side needs from the writer to put a spooled record back into the database. */
export interface SpoolReplayHost {
  /** Encodes, inserts and counts one record's trades as a commit; throws what the database threw. */
  commitRecord(trades: Trade[]): Promise<void>;
  /** The database cannot commit now: hold everything and back off. */
  hold(failure: StoreWriteError): void;
  /** The database refused some of these rows: the in-memory path halves them down to the bad ones. */
  refuse(trades: Trade[]): void;
}

export interface WriterSpoolSettings {
  spoolAfterMs: number;
  spoolHighWaterTicks: number;
}

/**
 * The tick writer's spool side: when queued ticks go to disk (an outage past `spoolAfterMs`, a buffer
 * past its high-water mark, a close that cannot flush) and how one spooled record comes back. When a
 * record is replayed is the writer's call (live batches first, see TickWriter.pumpBacklog).
 */
export class WriterSpool {
  spooled = 0;
  replayed = 0;
  /** The outage has lasted past `spoolAfterMs`: queued ticks go to the spool until a commit succeeds. */
  private spooling = false;
  /** A close that cannot flush: everything queued goes, however young. */
  private everything = false;
  private replaying = false;
  private fullSince: number | null = null;

  constructor(
    private readonly spool: TickSpool | null,
    private readonly settings: WriterSpoolSettings,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly host: SpoolReplayHost,
  ) {}

  get enabled(): boolean {
    return this.spool !== null;
  }

  get bytes(): number {
    return this.spool?.bytes ?? 0;
  }

  /** A record is being committed (it holds one of the writer's slots). */
  get busy(): boolean {
    return this.replaying;
  }

  /** A spooled record waits and none is on its way. */
  get canReplay(): boolean {
    return this.spool !== null && !this.replaying && this.spool.peek() !== null;
  }

  /** From now until the next successful commit, everything queued goes to disk (a close that cannot flush). */
  spoolNow(): void {
    if (this.spool) this.spooling = this.everything = true;
  }

  sync(): void {
    this.spool?.sync();
  }

  /** Appends trades to the spool; false (nothing written) when there is none or it is full. */
  spill(trades: Trade[]): boolean {
    if (!this.spool) return false;
    try {
      this.spool.append(trades);
    } catch (error) {
      // Full (SpoolFullError) or the disk failed (ENOSPC, EIO): either way these ticks stay in memory.
      if (this.fullSince === null) {
        this.fullSince = this.clock.now();
        this.logger.error(
          { err: error, full: error instanceof SpoolFullError },
          "spool cannot take ticks: they stay in memory (then buffer_full drops)",
        );
      }
      return false;
    }
    this.fullSince = null;
    this.spooled += trades.length;
    spoolTicks.inc({ event: "spooled" }, trades.length);
    return true;
  }

  /**
   * Sends queued ticks to the spool while the outage has lasted past `spoolAfterMs` (the chunks older
   * than that: the newest stay in memory, so what arrives just before the database is back is not
   * replayed after the whole spool), or all of them while the buffer (`depth`) is past its
   * high-water mark or at a close. In-flight batches stay: they come back to a queue if they fail.
   * Returns whether anything was written.
   */
  maybeSpill(health: CommitHealthState, depth: number, queues: readonly TickQueue[]): boolean {
    if (!this.spool || queues.every((queue) => queue.length === 0)) return false;
    const { since, canCommit } = health;
    if (
      !canCommit &&
      since !== null &&
      this.clock.now() - since >= this.settings.spoolAfterMs &&
      !this.spooling
    ) {
      this.spooling = true;
      this.logger.warn(
        { queueDepth: depth, spoolAfterMs: this.settings.spoolAfterMs },
        "database unavailable: spooling ticks to disk until it commits again",
      );
    }
    const all = this.everything || depth >= this.settings.spoolHighWaterTicks;
    if (!this.spooling && !all) return false;
    const cutoff = all ? Infinity : this.clock.now() - this.settings.spoolAfterMs;
    let wrote = false;
    for (const queue of queues) {
      const kept: TickChunk[] = [];
      for (let chunk = queue.peek(); chunk && chunk.openedAt <= cutoff; chunk = queue.peek()) {
        queue.take();
        if (this.spill(chunk.trades)) wrote = true;
        else kept.push(chunk);
      }
      if (kept.length > 0) queue.requeue(...kept);
    }
    return wrote;
  }

  /** A commit succeeded: the outage is over, stop spooling (the writer replays the spool from here). */
  onCommitted(): void {
    if (!this.spooling) return;
    this.spooling = this.everything = false;
    this.logger.info({ spoolBytes: this.spool?.bytes }, "database commits again: replaying the spool");
  }

  /**
   * Commits the oldest spooled record. A retryable failure leaves it spooled and holds the writer; a
   * refusal hands its trades to the in-memory path (only a crash before those commit loses them: the
   * record is acknowledged now).
   */
  async replayOne(): Promise<void> {
    const record = this.spool?.peek();
    if (!this.spool || !record || this.replaying) return;
    this.replaying = true;
    try {
      await this.host.commitRecord(record.trades);
      this.spool.ack(record);
      this.replayed += record.trades.length;
      spoolTicks.inc({ event: "replayed" }, record.trades.length);
      if (!this.spool.peek())
        this.logger.info({ replayed: this.replayed }, "spool replayed into the database");
    } catch (error) {
      const failure = toStoreWriteError(error, "spool replay failed");
      if (failure.retryable) return this.host.hold(failure);
      this.spool.ack(record);
      this.host.refuse(record.trades);
    } finally {
      this.replaying = false;
    }
  }
}
