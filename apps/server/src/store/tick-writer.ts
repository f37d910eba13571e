import type { Trade } from "@torghut/contracts";
import type { Database } from "@torghut/db";
import { pino } from "pino";
import { systemClock, type Clock, type TimerHandle } from "../clock";
import { SpoolFullError } from "../spool/ports";
import { spoolTicks } from "../spool/metrics";
import type { StoreWriteError } from "./errors";
import { DUPLICATE_KEY, RowsRefusedError, toStoreWriteError } from "./errors";
import { CommitHealthState } from "./commit-health";
import { copyInserter } from "./tick-copy";
import { jsonInserter, type BulkInserter } from "./tick-insert";
import { TickQueue, type TickChunk } from "./tick-queue";
import {
  DEFAULTS,
  type CloseReport,
  type CommitHealth,
  type RefusalReason,
  type TickWriterOptions,
  type TickWriterStats,
} from "./tick-writer-options";

export type { CloseReport, CommitHealth, RefusalReason, TickWriterOptions, TickWriterStats };
import {
  queueDepthSources,
  writerBatchFailures,
  writerCommitLag,
  writerCommittedTicks,
  writerDroppedTicks,
  ticksLost,
} from "./metrics";

type DropReason = "buffer_full" | "closed" | "invalid_event_time" | "rejected_by_database";

/**
 * Batches validated trades into the `ticks` table. The ingest path calls `enqueue` and moves on: it
 * never waits on the database and never sees an error. Batches are idempotent (a batch that meets
 * an already stored natural key goes through ON CONFLICT DO NOTHING, see tick-copy.ts), so after a
 * failure the same batch is simply sent again, with
 * exponential backoff, while new ticks wait in a bounded buffer.
 */
export class TickWriter {
  private readonly options: TickWriterOptions;
  private readonly queue: TickQueue;
  private readonly bulk: BulkInserter;
  private readonly inflight = new Set<TickChunk>();
  private readonly waiters: { target: number; resolve: () => void }[] = [];
  private readonly readDepth = () => this.queue.length + this.inflightRows;
  private inflightRows = 0;
  private accepted = 0;
  private committed = 0;
  private dropped = 0;
  private lastCommitAt: number | null = null;
  private commitLagMs: number | null = null;
  private consecutiveFailures = 0;
  private lastError: string | null = null;
  private flushTimer: TimerHandle | null = null;
  private backoffTimer: TimerHandle | null = null;
  private kickPending = false;
  private closed = false;
  /** Set when close() gave up: nothing more is sent, whatever is left is abandoned. */
  private abandoned = false;
  private droppingSince: number | null = null;
  private spooled = 0;
  private replayed = 0;
  private lost = 0;
  /** The outage has lasted past `spoolAfterMs`: queued ticks go to the spool until a commit succeeds. */
  private spooling = false;
  private replaying = false;
  private spoolFullSince: number | null = null;
  private forceClose: (() => void) | null = null;
  private forced = false;
  private reported = false;
  private readonly health: CommitHealthState;

  constructor(
    database: Database,
    options: Partial<TickWriterOptions> = {},
    private readonly clock: Clock = systemClock,
  ) {
    this.options = { ...DEFAULTS, logger: pino({ level: "silent" }), ...options };
    this.queue = new TickQueue(this.options.batchRows);
    this.health = new CommitHealthState(clock);
    const pool = database.pool;
    const useCopy = this.options.method === "copy" || (this.options.method === "auto" && pool !== null);
    if (useCopy && pool === null)
      throw new TypeError("TickWriter method 'copy' needs PostgreSQL (DATABASE_URL)");
    this.bulk =
      useCopy && pool
        ? copyInserter(pool, { synchronousCommit: this.options.synchronousCommit })
        : jsonInserter(database);
    queueDepthSources.add(this.readDepth);
    // Ticks an earlier run spooled go in first; a failed attempt simply waits for the next commit.
    if (this.options.spool?.peek()) setImmediate(() => void this.replaySpool(true));
  }

  /** Hands a trade over; returns false (and counts it) when it had to be dropped. O(1), never throws. */
  enqueue(trade: Trade): boolean {
    if (this.closed) return this.drop("closed", 1);
    if (this.queue.length + this.inflightRows >= this.options.bufferMaxTicks)
      return this.drop("buffer_full", 1);
    if (this.droppingSince !== null) {
      this.options.logger.warn({ dropped: this.dropped }, "tick writer buffer has room again");
      this.droppingSince = null;
    }
    const chunk = this.queue.push(trade, this.accepted++, this.clock.now());
    if (chunk.trades.length === 1 && this.flushTimer === null)
      this.armFlushTimer(this.options.flushIntervalMs);
    if (this.queue.isFull(chunk) && !this.kickPending) {
      // Not sent synchronously: the ingest path keeps running and a burst fills more batches first.
      this.kickPending = true;
      setImmediate(() => {
        this.kickPending = false;
        this.pump();
      });
    }
    return true;
  }

  /** The bulk method in use: "copy" (binary COPY, PostgreSQL) or "json" (json_to_recordset). */
  get method(): "json" | "copy" {
    return this.bulk.method;
  }

  stats(): TickWriterStats {
    return {
      queueDepth: this.readDepth(),
      accepted: this.accepted,
      committed: this.committed,
      dropped: this.dropped,
      lastCommitAt: this.lastCommitAt,
      commitLagMs: this.commitLagMs,
      consecutiveFailures: this.consecutiveFailures,
      lastError: this.lastError,
      spooled: this.spooled,
      replayed: this.replayed,
      lost: this.lost,
      commit: this.commitHealth(),
    };
  }

  /** Whether batches are committing now or held because the database cannot take them, and why. */
  commitHealth(): CommitHealth {
    return this.health.snapshot();
  }

  /** Called on every change of `commitHealth()` (can commit ↔ cannot commit). */
  onCommitHealth(listener: (health: CommitHealth) => void): void {
    this.health.onChange(listener);
  }

  /** Resolves once every tick accepted before the call is committed (or dropped as invalid). */
  flush(): Promise<void> {
    const target = this.accepted;
    if (this.lowWater() >= target) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push({ target, resolve });
      this.pump();
    });
  }

  /**
   * Stops accepting and commits everything accepted so far; with a spool, "committed" includes
   * "spooled" (a database that cannot commit now sends the queue to the spool at once). With
   * `timeoutMs`, at the deadline (or on `forceClose()`) it stops waiting: whatever is queued or in
   * flight goes to the spool, and only what the spool cannot take is lost (counted and logged).
   */
  async close(options: { timeoutMs?: number } = {}): Promise<CloseReport> {
    this.closed = true;
    if (!this.health.canCommit && this.options.spool) this.spooling = true;
    this.maybeSpill();
    const flushed = this.flush();
    let timer: TimerHandle | null = null;
    const gaveUp = await Promise.race([
      flushed.then(() => false),
      new Promise<boolean>((resolve) => {
        if (this.forced) return resolve(true);
        this.forceClose = () => resolve(true);
        if (options.timeoutMs !== undefined)
          timer = this.clock.setTimeout(() => resolve(true), options.timeoutMs);
      }),
    ]);
    if (timer) this.clock.clearTimeout(timer);
    this.forceClose = null;
    if (gaveUp) this.abandon();
    if (this.flushTimer) this.clock.clearTimeout(this.flushTimer);
    if (this.backoffTimer) this.clock.clearTimeout(this.backoffTimer);
    this.flushTimer = this.backoffTimer = null;
    queueDepthSources.delete(this.readDepth);
    this.options.spool?.sync();
    return this.report(gaveUp);
  }

  /** Totals since start, logged once: the shutdown's "flushed, spooled, lost" line. */
  private report(forced: boolean): CloseReport {
    const report: CloseReport = {
      accepted: this.accepted,
      dropped: this.dropped,
      committed: this.committed,
      spooled: this.spooled,
      lost: this.lost,
      spoolBytes: this.options.spool?.bytes ?? 0,
    };
    if (!this.reported)
      this.options.logger.info(
        { ...report, forced },
        report.lost === 0 ? "tick writer closed: nothing lost" : "tick writer closed: ticks lost",
      );
    this.reported = true;
    return report;
  }

  /** A pending close() stops waiting for the database now (a second SIGTERM): spool the rest, return. */
  forceCloseNow(): void {
    this.forced = true;
    if (this.forceClose) return this.forceClose();
    // Before close(): stop intake and spool now, and say so (the process may exit before close()).
    this.closed = true;
    this.abandon();
    this.report(true);
  }

  /** Stops sending: every queued or in-flight tick goes to the spool, or is counted as lost. */
  private abandon(): void {
    if (this.abandoned) return;
    this.abandoned = true;
    const left = [...this.inflight];
    for (let chunk = this.queue.take(); chunk; chunk = this.queue.take()) left.push(chunk);
    let lost = 0;
    for (const chunk of left) if (!this.spill(chunk)) lost += chunk.trades.length;
    this.options.spool?.sync();
    if (lost > 0) {
      this.lost += lost;
      ticksLost.inc({ reason: "shutdown" }, lost);
      this.options.logger.error({ lost }, "tick writer closed before flushing: ticks lost");
    }
  }

  /** Appends a chunk to the spool; false (nothing written) when there is none or it is full. */
  private spill(chunk: TickChunk): boolean {
    const spool = this.options.spool;
    if (!spool) return false;
    try {
      spool.append(chunk.trades);
    } catch (error) {
      // Full (SpoolFullError) or the disk failed (ENOSPC, EIO): either way these ticks stay in memory.
      if (this.spoolFullSince === null) {
        this.spoolFullSince = this.clock.now();
        this.options.logger.error(
          { err: error, full: error instanceof SpoolFullError },
          "spool cannot take ticks: they stay in memory (then buffer_full drops)",
        );
      }
      return false;
    }
    this.spoolFullSince = null;
    this.spooled += chunk.trades.length;
    spoolTicks.inc({ event: "spooled" }, chunk.trades.length);
    return true;
  }

  /**
   * Sends queued ticks to the spool while the outage has lasted past `spoolAfterMs`, or while the
   * buffer is past its high-water mark. In-flight batches stay: they come back here if they fail.
   */
  private maybeSpill(): void {
    if (!this.options.spool || this.abandoned || this.queue.length === 0) return;
    const { since, canCommit } = this.health;
    if (
      !canCommit &&
      since !== null &&
      this.clock.now() - since >= this.options.spoolAfterMs &&
      !this.spooling
    ) {
      this.spooling = true;
      this.options.logger.warn(
        { queueDepth: this.readDepth(), spoolAfterMs: this.options.spoolAfterMs },
        "database unavailable: spooling ticks to disk until it commits again",
      );
    }
    if (!this.spooling && this.readDepth() < this.options.spoolHighWaterTicks) return;
    const kept: TickChunk[] = [];
    for (let chunk = this.queue.take(); chunk; chunk = this.queue.take())
      if (!this.spill(chunk)) kept.push(chunk);
    if (kept.length > 0) this.queue.requeue(...kept);
    this.settleWaiters();
  }

  /**
   * Commits the spool's records oldest first, one at a time, beside the live batches. `probe`: try
   * even though the last commit failed (the spool is then the only thing left to test the database
   * with). A retryable failure stops it until the next successful commit.
   */
  private async replaySpool(probe = false): Promise<void> {
    const spool = this.options.spool;
    if (!spool || this.replaying || this.closed || (!probe && !this.health.canCommit)) return;
    this.replaying = true;
    try {
      for (let record = spool.peek(); record && !this.closed; record = spool.peek()) {
        if (!(await this.replayRecord(record.trades))) return;
        spool.ack(record);
      }
      if (!spool.peek() && this.replayed > 0)
        this.options.logger.info({ replayed: this.replayed }, "spool replayed into the database");
    } finally {
      this.replaying = false;
    }
  }

  /** One spooled record into the database; false when the database cannot commit (it stays spooled). */
  private async replayRecord(trades: Trade[]): Promise<boolean> {
    try {
      const encoded = this.prepare(trades);
      await this.bulk.insert(encoded);
      this.replayed += trades.length;
      spoolTicks.inc({ event: "replayed" }, trades.length);
      this.countCommit(encoded.rows, trades);
      return true;
    } catch (error) {
      const failure = toStoreWriteError(error, "spool replay failed");
      if (failure.retryable) {
        this.hold(failure);
        return false;
      }
      // Rows the database refuses: the in-memory path halves the record down to the bad ones. Only
      // a crash before those commit loses them (the record is acknowledged now).
      const seq = this.lowWater();
      this.queue.requeue({ firstSeq: seq, openedAt: this.clock.now(), trades, retry: true, encoded: null });
      this.pump();
      return true;
    }
  }

  private drop(reason: DropReason, count: number): false {
    this.dropped += count;
    writerDroppedTicks.inc({ reason }, count);
    if (reason === "buffer_full" && this.droppingSince === null) {
      this.droppingSince = this.clock.now();
      this.options.logger.error(
        { bufferMaxTicks: this.options.bufferMaxTicks },
        "tick writer buffer full: dropping ticks",
      );
    }
    return false;
  }

  private lowWater(): number {
    let low = this.queue.minSeq() ?? this.accepted;
    for (const chunk of this.inflight) low = Math.min(low, chunk.firstSeq);
    return low;
  }

  private armFlushTimer(delayMs: number): void {
    this.flushTimer = this.clock.setTimeout(
      () => {
        this.flushTimer = null;
        this.pump();
      },
      Math.max(0, delayMs),
    );
  }

  /** Sends every eligible batch there is a slot for; arms the timer for the first one not yet due. */
  private pump(): void {
    this.maybeSpill();
    if (this.backoffTimer !== null || this.abandoned) return;
    const forced = this.waiters.length > 0;
    while (this.inflight.size < this.options.concurrency) {
      const front = this.queue.peek();
      if (!front) break;
      const due = front.openedAt + this.options.flushIntervalMs <= this.clock.now();
      if (!(forced || due || front.retry || this.queue.isFull(front))) {
        if (this.flushTimer === null)
          this.armFlushTimer(front.openedAt + this.options.flushIntervalMs - this.clock.now());
        break;
      }
      void this.send(this.queue.take()!);
    }
  }

  private async send(chunk: TickChunk): Promise<void> {
    this.inflight.add(chunk);
    this.inflightRows += chunk.trades.length;
    try {
      chunk.encoded ??= this.prepare(chunk.trades);
      await this.bulk.insert(chunk.encoded);
      this.onCommitted(chunk);
    } catch (error) {
      this.onFailed(chunk, error);
    } finally {
      this.inflight.delete(chunk);
      this.inflightRows -= chunk.trades.length;
      this.settleWaiters();
      this.pump();
    }
  }

  /**
   * Encoding is our own code on our own data: if it throws, the same rows will throw again, so it
   * is a refusal of these rows (halved until the bad tick stands alone), never a reason to retry.
   */
  private encode(trades: Trade[]): NonNullable<TickChunk["encoded"]> {
    try {
      return this.bulk.encode(trades);
    } catch (error) {
      throw new RowsRefusedError(`tick batch could not be encoded: ${String(error)}`, null, { cause: error });
    }
  }
  /** Encodes once; ticks without a storable event time are dropped here, counted and kept as rejections. */
  private prepare(trades: Trade[]): NonNullable<TickChunk["encoded"]> {
    const encoded = this.encode(trades);
    if (encoded.invalid.length > 0) {
      this.drop("invalid_event_time", encoded.invalid.length);
      for (const trade of encoded.invalid)
        this.options.onRefused?.(
          trade,
          "invalid_event_time",
          `event time ${JSON.stringify(trade.eventTime)}`,
        );
      this.options.logger.warn(
        { count: encoded.invalid.length },
        "ticks without an RFC-3339 event time dropped",
      );
    }
    return encoded;
  }

  private onCommitted(chunk: TickChunk): void {
    this.countCommit(chunk.encoded?.rows ?? 0, chunk.trades);
  }

  private countCommit(rows: number, trades: readonly Trade[]): void {
    const now = this.clock.now();
    let oldest = Infinity;
    for (const trade of trades) if (trade.receivedAt < oldest) oldest = trade.receivedAt;
    this.committed += rows;
    this.lastCommitAt = now;
    this.consecutiveFailures = 0;
    this.health.set(true, null);
    if (this.spooling) {
      this.spooling = false;
      this.options.logger.info(
        { spoolBytes: this.options.spool?.bytes },
        "database commits again: replaying the spool",
      );
    }
    if (this.options.spool?.peek() && !this.replaying) void this.replaySpool();
    if (oldest !== Infinity) {
      this.commitLagMs = Math.max(0, now - oldest);
      writerCommitLag.observe(this.commitLagMs / 1000);
    }
    writerCommittedTicks.inc(rows);
    if (this.options.onCommit) this.options.onCommit(trades, now);
  }

  /** The database cannot commit now: say so, and try again after a backoff. */
  private hold(failure: StoreWriteError): void {
    this.lastError = failure.message;
    writerBatchFailures.inc({ retryable: "true" });
    this.consecutiveFailures++;
    this.health.set(false, failure.message);
    this.startBackoff(failure);
  }

  private onFailed(chunk: TickChunk, error: unknown): void {
    const failure = toStoreWriteError(error, "tick batch insert failed");
    if (failure.retryable) {
      this.queue.requeue(chunk);
      this.hold(failure);
      return;
    }
    this.lastError = failure.message;
    writerBatchFailures.inc({ retryable: "false" });
    // The rows themselves are refused: halve the batch until the offending ticks stand alone, so one
    // bad tick costs itself and not the other 4,999.
    if (chunk.trades.length > 1) {
      const middle = Math.ceil(chunk.trades.length / 2);
      const half = (trades: Trade[]): TickChunk => ({
        firstSeq: chunk.firstSeq,
        openedAt: chunk.openedAt,
        trades,
        retry: true,
        encoded: null,
      });
      this.queue.requeue(half(chunk.trades.slice(0, middle)), half(chunk.trades.slice(middle)));
    } else if (failure instanceof RowsRefusedError && failure.sqlState === DUPLICATE_KEY) {
      // The row is stored already (see errors.ts): as good as committed.
      this.onCommitted(chunk);
    } else {
      const trade = chunk.trades[0]!;
      this.drop("rejected_by_database", 1);
      this.options.onRefused?.(trade, "rejected_by_database", failure.message);
      this.options.logger.error(
        { err: failure, symbol: trade.symbol },
        "tick refused by the database: recorded as a rejection",
      );
    }
  }

  private startBackoff(failure: Error): void {
    if (this.backoffTimer !== null || this.abandoned) return;
    const exponent = Math.min(this.consecutiveFailures - 1, 30);
    const base = Math.min(this.options.retryMaxMs, this.options.retryBaseMs * 2 ** exponent);
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    this.options.logger.warn(
      {
        err: failure,
        consecutiveFailures: this.consecutiveFailures,
        retryInMs: delay,
        queueDepth: this.readDepth(),
      },
      "tick writer cannot reach the database: holding ticks and retrying",
    );
    this.backoffTimer = this.clock.setTimeout(() => {
      this.backoffTimer = null;
      this.pump();
      // Everything went to the spool: it is the only thing left to test the database with.
      if (this.spooling && this.queue.length === 0 && this.inflight.size === 0) void this.replaySpool(true);
    }, delay);
  }

  private settleWaiters(): void {
    if (this.waiters.length === 0) return;
    const low = this.lowWater();
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const waiter = this.waiters[i]!;
      if (low >= waiter.target) {
        this.waiters.splice(i, 1);
        waiter.resolve();
      }
    }
  }
}
