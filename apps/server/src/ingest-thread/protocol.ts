import type { MarketStatus, SymbolFreshness } from "@torghut/contracts";
import type { BusMessage } from "../bus";
import type { ServerConfig } from "../config";
import type { LeadershipKind } from "../leader";
import { NotLeaderError, type IngestErrorCode } from "../ingest/errors";
import { IngestThreadCallError } from "./errors";
import type { ThreadMetrics, ValidationView } from "../ingest/side";
import type { BackfillReport } from "../backfill/ports";
import type { IngestStats } from "../pipeline/ingest-pipeline";
import type { RouterSnapshot } from "../router";
import type { SourceHealth } from "../sources/source";
import type { TickWriterStats } from "../store/tick-writer";

/**
 * Messages between the HTTP thread and the ingest thread (structured clone over the worker's port).
 * The ingest thread pushes; the HTTP thread never waits on it to answer a health request.
 */

/** Everything the health answers read from ingest, taken at `takenAt` on the ingest thread. */
export interface IngestSnapshot {
  takenAt: number;
  router: RouterSnapshot | null;
  alpaca: SourceHealth | null;
  yahoo: SourceHealth | null;
  ingest: IngestStats | null;
  validation: ValidationView | null;
  writer: TickWriterStats | null;
  backfill: readonly BackfillReport[];
  market: MarketStatus | null;
  symbols: readonly SymbolFreshness[];
  leadership: { kind: LeadershipKind; isLeader: boolean; leaderSince: number | null };
}

export interface IngestThreadData {
  config: ServerConfig;
  /** The process's replica id: the ingest thread stamps it on what it publishes. */
  replicaId: string;
}

export type IngestCall =
  | { method: "forceFallback" | "reconnectPrimary" | "releaseToAutomatic"; actor: string }
  | { method: "metrics" }
  | { method: "stop" }
  /** Shutdown deadline: the writer spools what is left now; answered once it has. */
  | { method: "forceStop" }
  /** Chaos drills and tests: an uncaught error on the ingest thread, as a bug would throw. */
  | { method: "throwUncaught" };

export type ToIngestThread = { type: "call"; id: number; call: IngestCall };

/**
 * An error crossing the port as data. `code` names the ingest error to rebuild on the HTTP thread
 * (see ingest/errors.ts); without one the call failed for a reason the caller can only report.
 */
export interface CallFailure {
  code: IngestErrorCode | null;
  message: string;
  retryable: boolean;
  /** Set with code NOT_LEADER. */
  leaderReplicaId?: string | null;
}

/** What the ingest thread replies when a call throws. */
export function callFailureOf(error: unknown): CallFailure {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof NotLeaderError)
    return { code: error.code, message, retryable: true, leaderReplicaId: error.leaderReplicaId };
  const retryable = error instanceof Error && "retryable" in error && error.retryable === true;
  return { code: null, message, retryable };
}

/** The HTTP thread's side: the failure's code says which error it was, not a class name. */
export function errorOfFailure(failure: CallFailure, knownLeader: () => string | null): Error {
  if (failure.code === "NOT_LEADER") return new NotLeaderError(failure.leaderReplicaId ?? knownLeader());
  return new IngestThreadCallError(failure.message, { retryable: failure.retryable });
}

export type FromIngestThread =
  | { type: "ready"; snapshot: IngestSnapshot }
  | { type: "snapshot"; snapshot: IngestSnapshot }
  /** What the leader published since the last batch; `snapshot` rides along when status changed. */
  | { type: "bus"; messages: BusMessage[]; conflated: number; snapshot: IngestSnapshot | null }
  | { type: "reply"; id: number; ok: true; value: RouterSnapshotOrMetrics; snapshot: IngestSnapshot }
  | { type: "reply"; id: number; ok: false; error: CallFailure }
  /** An uncaught error: what the writer spooled and could not spool before the thread dies. */
  | { type: "crashed"; message: string; spooled: number; lost: number }
  /** Start-up failed; the thread exits after sending it. */
  | { type: "fatal"; message: string };

export type RouterSnapshotOrMetrics = RouterSnapshot | ThreadMetrics | null;
