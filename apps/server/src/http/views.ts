import type { BusHealth } from "../bus";
import type { HubStats } from "../realtime/hub";
import type { DatabaseView } from "../health/database-probe";
import type { IngestThreadView, IngestViews } from "../ingest/side";

/**
 * Narrow read-only views the HTTP layer reads state through; the composition root fills them.
 * A view returns null for a part this replica does not run (e.g. ROLE=realtime has no router).
 */
export interface OpsViews extends IngestViews {
  realtime(): HubStats | null;
  replica(): ReplicaView;
  /** The market bus as this replica sees it (absent in compositions without one). */
  bus?(): BusView;
  /** The ingest thread, when ingest runs off the HTTP event loop (INGEST_THREAD). */
  ingestThread?(): IngestThreadView | null;
  /** The readiness probe's view of this process's database (absent in tests that have none). */
  database?(): DatabaseView;
  simulatedMarket: boolean;
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

/** The bus's health as the API answers it (times as ISO text), with what this replica needs of it. */
export interface BusView extends Omit<BusHealth, "lastReceivedAt"> {
  lastReceivedAt: string | null;
  /** Whether this replica has received anything from a leader since it started (realtime readiness). */
  receivedLeaderData: boolean;
  /** This replica serves clients from a NATS bus (ROLE all or realtime) and does not lead. */
  needsLeaderData: boolean;
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
