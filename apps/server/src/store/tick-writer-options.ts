/** The tick writer's settings and what it reports: options, close report, commit health, stats. */
import type { Trade } from "@torghut/contracts";
import type { Logger } from "../logger";
import type { TickSpool } from "../spool/ports";

export interface TickWriterOptions {
  /** Longest a tick waits for its batch to leave (default 50 ms). */
  flushIntervalMs: number;
  /** A batch leaves as soon as it holds this many ticks (default 5,000). */
  batchRows: number;
  /** Queued + in-flight ticks held while the database is slow or down (default 1,000,000). */
  bufferMaxTicks: number;
  /** Batches in flight at once: one is serialised while the database commits another (default 2). */
  concurrency: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** "auto": binary COPY on PostgreSQL (tick-copy.ts), json_to_recordset on PGlite. */
  method: "auto" | "json" | "copy";
  /**
   * PostgreSQL with binary COPY (the "auto" choice there): false commits the writer's transactions
   * without waiting for the WAL flush (WRITER_SYNCHRONOUS_COMMIT in config.ts says what that
   * risks). The "json" method ignores it. Default true; the server passes its setting (false).
   */
  synchronousCommit: boolean;
  logger: Logger;
  /** Called after each commit with the batch's trades (benchmarks measure per-tick latency with it). */
  onCommit: ((trades: readonly Trade[], committedAt: number) => void) | null;
  /**
   * Called for each tick the writer refuses for what it holds (the database's row-level error, or an
   * event time it cannot store), so it is kept in `validation_rejections` rather than vanishing.
   */
  onRefused: ((trade: Trade, reason: RefusalReason, detail: string) => void) | null;
  /**
   * Where ticks go when the database cannot take them (spool/): past `spoolAfterMs` of failing
   * commits, past `spoolHighWaterTicks` in memory, or at a close that cannot flush. Replayed, oldest
   * first, once a commit succeeds again (and at start). null: ticks wait in memory only.
   */
  spool: TickSpool | null;
  spoolAfterMs: number;
  spoolHighWaterTicks: number;
  /**
   * A live batch committed longer than this after its first tick arrived means the database stalled
   * (or cannot keep up): what is still queued then becomes backlog, behind the ticks arriving from
   * then on, as after an outage (default 1 s: the live receive→commit goal of issue #15).
   */
  backlogAfterMs: number;
}

/** What close() did with the ticks it was given: in the database, in the spool, or gone (counted). */
export interface CloseReport {
  /** Totals since the writer started; dropped: invalid or refused (kept as rejections). */
  accepted: number;
  dropped: number;
  committed: number;
  spooled: number;
  lost: number;
  /** Spool bytes still waiting for the next start to replay. */
  spoolBytes: number;
}

export type RefusalReason = "rejected_by_database" | "invalid_event_time";

/** Whether the writer can commit now; readiness reads it (`canCommit` false while batches are held). */
export interface CommitHealth {
  canCommit: boolean;
  /** When the current state began (epoch ms), null before anything happened. */
  since: number | null;
  /** The last failure while `canCommit` is false, e.g. "[42501] permission denied for table ticks". */
  reason: string | null;
}

export interface TickWriterStats {
  /** Accepted and not yet committed (queued plus in flight). */
  queueDepth: number;
  accepted: number;
  committed: number;
  dropped: number;
  lastCommitAt: number | null;
  /** Receive-to-commit of the oldest tick in the last committed batch. */
  commitLagMs: number | null;
  consecutiveFailures: number;
  lastError: string | null;
  /** Ticks written to the spool, and ticks committed from it. */
  spooled: number;
  replayed: number;
  /** Ticks neither committed nor spooled when the writer was closed or abandoned. */
  lost: number;
  /** commitHealth(), here too so that it crosses the ingest thread's snapshot (readiness reads it). */
  commit: CommitHealth;
}

export const DEFAULTS: Omit<TickWriterOptions, "logger"> = {
  flushIntervalMs: 50,
  batchRows: 5000,
  bufferMaxTicks: 1_000_000,
  concurrency: 2,
  retryBaseMs: 100,
  retryMaxMs: 10_000,
  method: "auto",
  synchronousCommit: true,
  onCommit: null,
  onRefused: null,
  spool: null,
  spoolAfterMs: 5_000,
  spoolHighWaterTicks: 500_000,
  backlogAfterMs: 1_000,
};
