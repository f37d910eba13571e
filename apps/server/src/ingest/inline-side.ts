import type { TickWriter } from "../store/tick-writer";
import type { MarketData } from "../compose/market-data";
import { NotLeaderError } from "./errors";
import type { Ingest } from "./ingest";
import type { IngestSide } from "./side";

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
