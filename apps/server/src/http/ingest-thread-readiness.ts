import type { HealthStatus } from "./health-status";
import type { IngestThreadView } from "../ingest/side";

/** A running thread reports about every 100 ms; this much silence means its event loop is stuck. */
export const INGEST_THREAD_MAX_SILENCE_MS = 5000;

/**
 * Readiness of the ingest thread itself (INGEST_THREAD=worker). Its router and writer state only
 * count while it reports: a dead or stuck thread would otherwise leave its last, healthy-looking
 * snapshot on display. A dead thread is restarted; readiness returns once the new one is running.
 */
export function ingestThreadNotReadyReasons(thread: IngestThreadView | null | undefined): string[] {
  if (thread === undefined || thread === null) return [];
  if (thread.state !== "running") {
    const why = thread.lastError === null ? "" : ` (last error: ${thread.lastError})`;
    return [`ingest thread is ${thread.state}${why}`];
  }
  if (thread.snapshotAgeMs !== null && thread.snapshotAgeMs > INGEST_THREAD_MAX_SILENCE_MS) {
    return [`ingest thread unresponsive: last report ${Math.round(thread.snapshotAgeMs / 1000)}s ago`];
  }
  return [];
}

export function ingestThreadStatus(thread: IngestThreadView | null | undefined): HealthStatus {
  return ingestThreadNotReadyReasons(thread).length === 0 ? "Healthy" : "Unhealthy";
}
