import type { IngestStats } from "../pipeline/ingest-pipeline";
import type { BackfillReport } from "../backfill/ports";
import type { HubStats } from "../realtime/hub";
import type { RouterSnapshot } from "../router";
import type { SourceHealth } from "../sources/source";
import type { TickWriterStats } from "../store/tick-writer";

/**
 * Narrow read-only views the HTTP layer reads state through; the composition root fills them.
 * A view returns null for a part this replica does not run (e.g. ROLE=realtime has no router).
 */
export interface OpsViews {
  router(): RouterSnapshot | null;
  alpaca(): SourceHealth | null;
  yahoo(): SourceHealth | null;
  ingest(): IngestStats | null;
  validation(): ValidationView | null;
  writer(): TickWriterStats | null;
  realtime(): HubStats | null;
  backfill(): readonly BackfillReport[];
  replica(): ReplicaView;
  simulatedMarket: boolean;
}

export interface ValidationView {
  checked: number;
  suspicious: number;
  rejected: number;
  rejectedByReason: Record<string, number>;
  /** Rejected / checked over the alert's sliding window. */
  failureRate: number;
}

export interface ReplicaView {
  replicaId: string;
  role: "all" | "ingest" | "realtime";
  /** Holds the single upstream Alpaca connection. */
  isLeader: boolean;
  startedAt: string;
}

/** Operator actions behind the admin-only POST endpoints; `actor` is the JWT subject. */
export interface OpsActions {
  forceFallback(actor: string): Promise<RouterSnapshot> | RouterSnapshot;
  reconnectPrimary(actor: string): Promise<RouterSnapshot> | RouterSnapshot;
  releaseToAutomatic(actor: string): Promise<RouterSnapshot> | RouterSnapshot;
}

/** What readiness needs to know beyond the views: how long silence may last before it counts. */
export interface ReadinessSettings {
  /** Primary data older than this is not progress (MESSAGE_TIMEOUT_SECONDS). */
  primaryMaxSilenceMs: number;
  /** Fallback data older than this is not progress (about two poll intervals). */
  fallbackMaxSilenceMs: number;
  /** Writer with queued ticks and no commit for this long is stuck. */
  writerMaxCommitAgeMs: number;
}
