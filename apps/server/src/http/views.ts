import type { MarketStatus, SymbolFreshness } from "@torghut/contracts";
import type { IngestStats } from "../pipeline/ingest-pipeline";
import type { BackfillReport } from "../backfill/ports";
import type { HubStats } from "../realtime/hub";
import type { RouterSnapshot } from "../router";
import type { SourceHealth } from "../sources/source";
import type { TickWriterStats } from "../store/tick-writer";
import type { DatabaseView } from "../health/database-probe";

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
  /** The market clock's view (null where ingest does not run). */
  market(): MarketStatus | null;
  /** Per-symbol freshness of the last prices (empty where ingest does not run). */
  symbols(): readonly SymbolFreshness[];
  replica(): ReplicaView;
  /** The market bus as this replica sees it (absent in compositions without one). */
  bus?(): BusView;
  /** The ingest thread, when ingest runs off the HTTP event loop (INGEST_THREAD). */
  ingestThread?(): IngestThreadView | null;
  /** The readiness probe's view of this process's database (absent in tests that have none). */
  database?(): DatabaseView;
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
  /** Which replica leads, as heard on the bus (or known locally when this one does). */
  leader?: LeaderView;
}

export interface LeaderView {
  /** null until a leader has been heard from. */
  replicaId: string | null;
  isLeader: boolean;
  /** Start of the current leader's term (ISO), when known. */
  since: string | null;
  /** Last heartbeat or data from the leader (ISO). */
  lastSeenAt: string | null;
}

export interface BusView {
  kind: "in-process" | "nats";
  connected: boolean;
  published: number;
  received: number;
  dropped: number;
  reconnects: number;
  lastReceivedAt: string | null;
  lastError: string | null;
  /** Whether this replica has received anything from a leader since it started (realtime readiness). */
  receivedLeaderData: boolean;
  /** This replica serves clients from a NATS bus (ROLE all or realtime) and does not lead. */
  needsLeaderData: boolean;
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
  /** The writer holding its batches (cannot commit) this long makes the database not ready. */
  writerHoldGraceMs: number;
}
