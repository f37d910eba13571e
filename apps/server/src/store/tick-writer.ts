import type { Trade } from "@torghut/contracts";
import type { Database } from "@torghut/db";
import { pino } from "pino";
import { systemClock, type Clock, type TimerHandle } from "../clock";
import type { StoreWriteError } from "./errors";
import { DUPLICATE_KEY, RowsRefusedError, toStoreWriteError } from "./errors";
import { CommitHealthState } from "./commit-health";
import { copyInserter } from "./tick-copy";
import { jsonInserter, type BulkInserter } from "./tick-insert";
import { TickQueue, type TickChunk } from "./tick-queue";
import { WriterSpool } from "./writer-spool";
import { RetryBackoff } from "./tick-writer-backoff";
import { FlushWaiters } from "./tick-writer-waiters";
import { WriterTally, type DropReason } from "./tick-writer-tally";
import { encodeBatch, halves } from "./tick-writer-refusals";
import {
  DEFAULTS,
  type CloseReport,
  type CommitHealth,
  type RefusalReason,
  type TickWriterOptions,
  type TickWriterStats,
} from "./tick-writer-options";

export type { CloseReport, CommitHealth, RefusalReason, TickWriterOptions, TickWriterStats };
import { queueDepthSources } from "./metrics";

/**
 * Batches validated trades into the `ticks` table. The ingest path calls `enqueue` and moves on: it
 * never waits on the database and never sees an error. Batches are idempotent (a batch that meets
 * an already stored natural key goes through ON CONFLICT DO NOTHING, see tick-copy.ts), so after a
 * failure the same batch is simply sent again, with exponential backoff, while new ticks wait in a
 * bounded buffer.
 *
 * Live first: after an outage or a stall, what piled up meanwhile (the chunks still queued at the
 * first commit after it, and the spool) is the backlog. It goes one batch at a time beside the live
 * slots, only while the live queue is below one batch, so ticks received now are not stuck behind
 * minutes of old ones. Commit order does not matter for correctness: ticks are idempotent by natural
 * key, and bars are built in memory from accepted trades (bar-aggregator.ts), not from the commits.
 */
export class TickWriter {
  private readonly options: TickWriterOptions;
  /** Live ticks, oldest first. */
  private readonly queue: TickQueue;
  /** Ticks queued during an outage, held behind the live queue once commits succeed again. */
  private readonly backlog: TickQueue;
  private backlogInflight = 0;
  private readonly spool: WriterSpool;
  private readonly bulk: BulkInserter;
  private readonly inflight = new Set<TickChunk>();
  private readonly waiters = new FlushWaiters();
  private readonly readDepth = () => this.queue.length + this.backlog.length + this.inflightRows;
  private inflightRows = 0;
  private readonly tally: WriterTally;
  private flushTimer: TimerHandle | null = null;
  private readonly backoff: RetryBackoff;
  private kickPending = false;
  private closed = false;
  /** Set when close() gave up: nothing more is sent, whatever is left is abandoned. */
  private abandoned = false;
  private lost = 0;
  private forceClose: (() => void) | null = null;
  private forced = false;
  private readonly health: CommitHealthState;

  constructor(
    database: Database,
    options: Partial<TickWriterOptions> = {},
    private readonly clock: Clock = systemClock,
  ) {
    this.options = { ...DEFAULTS, logger: pino({ level: "silent" }), ...options };
    this.queue = new TickQueue(this.options.batchRows);
    this.backlog = new TickQueue(this.options.batchRows);
    this.health = new CommitHealthState(clock);
    this.tally = new WriterTally(this.options.logger, this.options.bufferMaxTicks);
    this.backoff = new RetryBackoff(clock, this.options.logger, this.options);
    const pool = database.pool;
    const useCopy = this.options.method === "copy" || (this.options.method === "auto" && pool !== null);
    if (useCopy && pool === null)
      throw new TypeError("TickWriter method 'copy' needs PostgreSQL (DATABASE_URL)");
    this.bulk =
      useCopy && pool
        ? copyInserter(pool, { synchronousCommit: this.options.synchronousCommit })
        : jsonInserter(database);
    this.spool = new WriterSpool(this.options.spool, this.options, clock, this.options.logger, {
      commitRecord: (trades) => this.commitRecord(trades),
      hold: (failure) => this.hold(failure),
      refuse: (trades) => this.refuse(trades),
    });
    queueDepthSources.add(this.readDepth);
    // Ticks an earlier run spooled are backlog: replayed beside (behind) the live batches from the start.
    if (this.spool.canReplay) setImmediate(() => this.pump());
  }

  /** Hands a trade over; returns false (and counts it) when it had to be dropped. O(1), never throws. */
  enqueue(trade: Trade): boolean {
    if (this.closed) return this.drop("closed", 1);
    if (this.readDepth() >= this.options.bufferMaxTicks) return this.drop("buffer_full", 1);
    const chunk = this.queue.push(trade, this.tally.accept(), this.clock.now());
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
      ...this.tally.stats(),
      spooled: this.spool.spooled,
      replayed: this.spool.replayed,
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
    const target = this.tally.accepted;
    if (this.lowWater() >= target) return Promise.resolve();
    const done = this.waiters.add(target);
    this.pump();
    return done;
  }

  /**
   * Stops accepting and commits everything accepted so far; with a spool, "committed" includes
   * "spooled" (a database that cannot commit now sends the queue to the spool at once). With
   * `timeoutMs`, at the deadline (or on `forceClose()`) it stops waiting: whatever is queued or in
   * flight goes to the spool, and only what the spool cannot take is lost (counted and logged).
   */
  async close(options: { timeoutMs?: number } = {}): Promise<CloseReport> {
    this.closed = true;
    if (!this.health.canCommit) this.spool.spoolNow();
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
    this.flushTimer = null;
    this.backoff.cancel();
    queueDepthSources.delete(this.readDepth);
    this.spool.sync();
    return this.tally.report(this.spool, gaveUp);
  }

  /** A pending close() stops waiting for the database now (a second SIGTERM): spool the rest, return. */
  forceCloseNow(): void {
    this.forced = true;
    if (this.forceClose) return this.forceClose();
    // Before close(): stop intake and spool now, and say so (the process may exit before close()).
    this.closed = true;
    this.abandon();
    this.tally.report(this.spool, true);
  }

  /** Stops sending: every queued or in-flight tick goes to the spool, or is counted as lost. */
  private abandon(): void {
    if (this.abandoned) return;
    this.abandoned = true;
    const left = [...this.inflight];
    for (const queue of [this.backlog, this.queue])
      for (let chunk = queue.take(); chunk; chunk = queue.take()) left.push(chunk);
    let lost = 0;
    for (const chunk of left) if (!this.spool.spill(chunk.trades)) lost += chunk.trades.length;
    this.spool.sync();
    this.tally.lose(lost);
  }

  /** Past the outage threshold or the high-water mark, queued ticks (backlog first) go to disk. */
  private maybeSpill(): void {
    if (this.abandoned) return;
    if (this.spool.maybeSpill(this.health, this.readDepth(), [this.backlog, this.queue]))
      this.settleWaiters();
  }

  /** One spooled record's trades into the database, counted as a commit. */
  private async commitRecord(trades: Trade[]): Promise<void> {
    const encoded = this.prepare(trades);
    await this.bulk.insert(encoded);
    this.countCommit(encoded.rows, trades);
  }

  /** Rows of a spooled record the database refuses: halved down to the bad ones like a live batch. */
  private refuse(trades: Trade[]): void {
    const seq = this.lowWater();
    this.queue.requeue({ firstSeq: seq, openedAt: this.clock.now(), trades, retry: true, encoded: null });
  }

  private drop(reason: DropReason, count: number): false {
    return this.tally.drop(reason, count, this.clock.now());
  }

  private lowWater(): number {
    let low = Math.min(
      this.queue.minSeq() ?? this.tally.accepted,
      this.backlog.minSeq() ?? this.tally.accepted,
    );
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

  /** Live slots (`concurrency`) not taken by a live batch in flight. */
  private freeSlots(): number {
    return this.options.concurrency - (this.inflight.size - this.backlogInflight);
  }

  /**
   * Sends every eligible live batch there is a slot for (arming the timer for the first one not yet
   * due), then backlog in what is left. After a failure this runs when the backoff ends: whatever it
   * sends first is the probe.
   */
  private pump(): void {
    this.maybeSpill();
    if (this.backoff.pending || this.abandoned) return;
    const forced = this.waiters.waiting;
    while (this.freeSlots() > 0) {
      const front = this.queue.peek();
      if (!front) break;
      const due = front.openedAt + this.options.flushIntervalMs <= this.clock.now();
      if (!(forced || due || front.retry || this.queue.isFull(front))) {
        if (this.flushTimer === null)
          this.armFlushTimer(front.openedAt + this.options.flushIntervalMs - this.clock.now());
        break;
      }
      void this.send(this.queue.take()!, this.queue);
    }
    this.pumpBacklog();
  }

  /**
   * The backlog (held chunks first, then the spool) goes one batch at a time in a slot of its own,
   * and only while the live queue is below one batch with a live slot free: no live batch ever waits
   * behind it, and live batches keep every live slot. Each commit calls pump() again: the replay
   * pauses while live traffic needs the database and resumes by itself. After close() no live ticks
   * come: the held backlog may use `concurrency` slots, and the spool waits for the next start.
   */
  private pumpBacklog(): void {
    const { concurrency, batchRows } = this.options;
    const slots = this.closed ? concurrency : 1;
    while (
      this.freeSlots() > 0 &&
      this.backlogInflight + (this.spool.busy ? 1 : 0) < slots &&
      this.queue.length < batchRows
    ) {
      const held = this.backlog.take();
      if (held) void this.send(held, this.backlog);
      else if (!this.closed && this.spool.canReplay) void this.spool.replayOne().finally(() => this.pump());
      else return;
    }
  }

  /** One batch into the database; on a failure it goes back to the front of `from`. */
  private async send(chunk: TickChunk, from: TickQueue): Promise<void> {
    const backlog = from === this.backlog;
    this.inflight.add(chunk);
    this.inflightRows += chunk.trades.length;
    if (backlog) this.backlogInflight++;
    try {
      chunk.encoded ??= this.prepare(chunk.trades);
      await this.bulk.insert(chunk.encoded);
      this.onCommitted(chunk, !backlog && this.clock.now() - chunk.openedAt > this.options.backlogAfterMs);
    } catch (error) {
      this.onFailed(chunk, error, from);
    } finally {
      this.inflight.delete(chunk);
      this.inflightRows -= chunk.trades.length;
      if (backlog) this.backlogInflight--;
      this.settleWaiters();
      this.pump();
    }
  }

  /** Encodes once; ticks without a storable event time are dropped here, counted and kept as rejections. */
  private prepare(trades: Trade[]): NonNullable<TickChunk["encoded"]> {
    const encoded = encodeBatch(this.bulk, trades);
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

  private onCommitted(chunk: TickChunk, stalled = false): void {
    this.countCommit(chunk.encoded?.rows ?? 0, chunk.trades, stalled);
  }

  /**
   * `stalled`: a live batch took longer than `backlogAfterMs` from its first tick to its commit (a
   * database that stalled without failing, or cannot keep up).
   */
  private countCommit(rows: number, trades: readonly Trade[], stalled = false): void {
    const now = this.clock.now();
    this.tally.commit(rows, trades, now);
    // The first commit after an outage or a stall: what was queued meanwhile becomes backlog, behind
    // live ticks (moved before listeners run, so ticks they see arriving from now on are live).
    if (!this.health.canCommit || stalled) this.holdBacklog();
    this.health.set(true, null);
    this.spool.onCommitted();
    if (this.options.onCommit) this.options.onCommit(trades, now);
  }

  /** The database cannot commit now: say so, and try again after a backoff. */
  private hold(failure: StoreWriteError): void {
    this.tally.failure(failure.message, true);
    this.health.set(false, failure.message);
    if (!this.abandoned)
      this.backoff.start(this.tally.consecutiveFailures, failure, this.readDepth(), () => this.pump());
  }

  /** Moves every queued chunk behind the live queue (oldest first, ahead of older backlog). */
  private holdBacklog(): void {
    const held: TickChunk[] = [];
    for (let chunk = this.queue.take(); chunk; chunk = this.queue.take()) held.push(chunk);
    if (held.length > 0) this.backlog.requeue(...held);
  }

  private onFailed(chunk: TickChunk, error: unknown, from: TickQueue): void {
    const failure = toStoreWriteError(error, "tick batch insert failed");
    if (failure.retryable) {
      from.requeue(chunk);
      this.hold(failure);
      return;
    }
    this.tally.failure(failure.message, false);
    // The rows themselves are refused: halve the batch (tick-writer-refusals.ts).
    if (chunk.trades.length > 1) {
      from.requeue(...halves(chunk));
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

  private settleWaiters(): void {
    this.waiters.settle(() => this.lowWater());
  }
}
