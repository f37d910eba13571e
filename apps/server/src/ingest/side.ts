import type { MarketStatus, SymbolFreshness } from "@torghut/contracts";
import type { MetricObjectWithValues, MetricValue } from "prom-client";
import type { BackfillReport } from "../backfill/ports";
import type { IngestStats } from "../pipeline/ingest-pipeline";
import type { RouterSnapshot } from "../router";
import type { SourceHealth } from "../sources/source";
import type { TickWriterStats } from "../store/tick-writer";

/**
 * The ingest port: what the rest of the server (HTTP health, ops, metrics) may know about and ask of
 * the ingest half, wherever it runs: on the event loop that serves HTTP (`inlineIngestSide`) or on
 * its own thread (`IngestThread`, which answers from snapshots).
 */
export interface IngestSide {
  readonly views: IngestViews;
  readonly actions: OpsActions;
  /** The ingest thread's own health; null when ingest shares the HTTP event loop. */
  thread(): IngestThreadView | null;
  /** Metrics kept on another thread's registry, merged into /metrics; absent when inline. */
  metrics?(): Promise<ThreadMetrics>;
}

/** The part of the health answers the ingest half fills; null (or empty) where it does not run. */
export interface IngestViews {
  router(): RouterSnapshot | null;
  alpaca(): SourceHealth | null;
  yahoo(): SourceHealth | null;
  ingest(): IngestStats | null;
  validation(): ValidationView | null;
  writer(): TickWriterStats | null;
  backfill(): readonly BackfillReport[];
  /** The market clock's view. */
  market(): MarketStatus | null;
  /** Per-symbol freshness of the last prices. */
  symbols(): readonly SymbolFreshness[];
}

export interface ValidationView {
  checked: number;
  suspicious: number;
  rejected: number;
  rejectedByReason: Record<string, number>;
  /** Rejected / checked over the alert's sliding window. */
  failureRate: number;
}

/** Operator actions behind the admin-only POST endpoints; `actor` is the JWT subject. */
export interface OpsActions {
  forceFallback(actor: string): Promise<RouterSnapshot> | RouterSnapshot;
  reconnectPrimary(actor: string): Promise<RouterSnapshot> | RouterSnapshot;
  releaseToAutomatic(actor: string): Promise<RouterSnapshot> | RouterSnapshot;
}

export interface IngestThreadView {
  /** "restarting" after the thread died, until its replacement reports ready. */
  state: "starting" | "running" | "restarting" | "stopped";
  restarts: number;
  lastExitAt: string | null;
  lastError: string | null;
  /** Age of the state the health answers are built from (ms); null before the first snapshot. */
  snapshotAgeMs: number | null;
  /** Trades and quotes replaced by a newer one for the same symbol before crossing to the hub. */
  conflated: number;
}

/** What `registry.getMetricsAsJSON()` returns on the other thread. */
export type ThreadMetrics = MetricObjectWithValues<MetricValue<string>>[];
