import { Counter, Gauge, Histogram } from "prom-client";
import { registry } from "../metrics/registry";

/** Live writers report their depth at scrape time; a module-level set avoids one gauge per instance. */
export const queueDepthSources = new Set<() => number>();

export const writerQueueDepth = new Gauge({
  name: "torghut_store_writer_queue_depth",
  help: "Ticks accepted by the writer and not yet committed (queued plus in flight)",
  registers: [registry],
  collect() {
    let depth = 0;
    for (const read of queueDepthSources) depth += read();
    this.set(depth);
  },
});

export const writerCommitLag = new Histogram({
  name: "torghut_store_writer_commit_lag_seconds",
  help: "Receive-to-commit time of the oldest tick in each committed batch (an upper bound for the batch)",
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  registers: [registry],
});

export const writerCommittedTicks = new Counter({
  name: "torghut_store_writer_committed_ticks_total",
  help: "Ticks committed by the writer (duplicates of already stored ticks included)",
  registers: [registry],
});

export const writerDroppedTicks = new Counter({
  name: "torghut_store_writer_dropped_ticks_total",
  help: "Ticks the writer could not keep, by reason",
  labelNames: ["reason"] as const,
  registers: [registry],
});
// Every reason starts at 0 (the reasons of TickWriter's drop()), so that the dashboard's drops panel
// shows 0 rather than no data, and increase() counts the first drop of a reason.
for (const reason of ["buffer_full", "closed", "invalid_event_time", "rejected_by_database"]) {
  writerDroppedTicks.labels(reason).inc(0);
}

export const rejectionsDropped = new Counter({
  name: "torghut_rejections_dropped_total",
  help: "Rejection audit rows (validation_rejections) dropped before they were stored, by reason",
  labelNames: ["reason"] as const,
  registers: [registry],
});
for (const reason of ["buffer_full", "shutdown"]) rejectionsDropped.labels(reason).inc(0);

/** Ticks accepted and then neither committed nor spooled: what a crash or a forced exit cost. */
export const ticksLost = new Counter({
  name: "torghut_ticks_lost_total",
  help: "Accepted ticks that were neither committed nor spooled, by reason",
  labelNames: ["reason"] as const,
  registers: [registry],
});
for (const reason of ["ingest_thread_crash", "shutdown"]) ticksLost.labels(reason).inc(0);

export const writerBatchFailures = new Counter({
  name: "torghut_store_writer_batch_failures_total",
  help: "Batches the database refused, by whether they will be retried",
  labelNames: ["retryable"] as const,
  registers: [registry],
});

export const barsWritten = new Counter({
  name: "torghut_store_bars_written_total",
  help: "1-minute bars upserted, by kind (closed on time, or updated by a late tick)",
  labelNames: ["kind"] as const,
  registers: [registry],
});

export const barLateTicks = new Counter({
  name: "torghut_store_bar_late_ticks_total",
  help: "Trades for an already closed minute, by outcome (merged into the stored bar, or too old)",
  labelNames: ["outcome"] as const,
  registers: [registry],
});

export const barUpsertFailures = new Counter({
  name: "torghut_store_bar_upsert_failures_total",
  help: "Failed bar upserts (the bars are kept and retried on the next timer tick)",
  registers: [registry],
});
