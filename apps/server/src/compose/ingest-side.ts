import type { MetricObjectWithValues, MetricValue } from "prom-client";
import type { IngestThreadView, OpsActions, OpsViews } from "../http/views";
import type { TickWriter } from "../store/tick-writer";
import type { Ingest } from "./ingest";
import type { MarketData } from "./market-data";

/** The part of the health answers that the ingest half (router, sources, validation, writer) fills. */
export type IngestViews = Pick<
  OpsViews,
  "router" | "alpaca" | "yahoo" | "ingest" | "validation" | "writer" | "backfill" | "market" | "symbols"
>;

/**
 * What the HTTP layer needs from ingest, wherever ingest runs: on the event loop that serves HTTP
 * (`inlineIngestSide`) or on its own thread (`IngestThread`, which answers from snapshots).
 */
export interface IngestSide {
  readonly views: IngestViews;
  readonly actions: OpsActions;
  /** The ingest thread's own health; null when ingest shares the HTTP event loop. */
  thread(): IngestThreadView | null;
  /** Metrics kept on another thread's registry, merged into /metrics; absent when inline. */
  metrics?(): Promise<ThreadMetrics>;
}

/** What `registry.getMetricsAsJSON()` returns on the other thread. */
export type ThreadMetrics = MetricObjectWithValues<MetricValue<string>>[];

/** Ingest on this event loop: views read the live objects of the current leadership term. */
export function inlineIngestSide(
  ingest: Ingest,
  writer: TickWriter | null,
  knownLeader: () => string | null,
): IngestSide {
  const term = () => ingest.current();
  // Ingest parts exist only during a leadership term: a standby or ROLE=realtime answers null.
  const leading = (): MarketData => {
    const current = term();
    if (current === null) throw new NotLeaderError(knownLeader());
    return current;
  };
  return {
    views: {
      router: () => term()?.router.snapshot() ?? null,
      alpaca: () => term()?.alpaca?.health() ?? null,
      yahoo: () => term()?.yahoo.health() ?? null,
      ingest: () => term()?.pipeline.stats() ?? null,
      validation: () => {
        const validator = term()?.validator;
        return validator === undefined
          ? null
          : { ...validator.stats(), failureRate: validator.failureRate() };
      },
      writer: () => writer?.stats() ?? null,
      backfill: () => term()?.backfiller.recentReports() ?? [],
      market: () => term()?.marketHours.status() ?? null,
      symbols: () => term()?.freshness.view() ?? [],
    },
    actions: {
      forceFallback: (actor) => leading().router.forceFallback(actor),
      reconnectPrimary: (actor) => leading().router.reconnectPrimary(actor),
      releaseToAutomatic: (actor) => leading().router.releaseManual(actor),
    },
    thread: () => null,
  };
}

/** Ops actions drive the router, which only the leader runs: 409 names the replica to ask instead. */
export class NotLeaderError extends Error {
  override readonly name = "NotLeaderError";
  readonly retryable = true;
  readonly statusCode = 409;

  constructor(readonly leaderReplicaId: string | null) {
    super(
      leaderReplicaId === null
        ? "This replica does not lead and no leader is known yet; retry shortly"
        : `This replica does not lead; send ops calls to the leader (replica ${leaderReplicaId})`,
    );
  }
}
