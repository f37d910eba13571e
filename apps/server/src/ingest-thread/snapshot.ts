import type { Clock } from "../clock";
import type { IngestViews } from "../ingest/side";
import type { Leadership } from "../leader";
import type { IngestSnapshot } from "./protocol";

/** Reads every ingest view once; the result is plain data that crosses threads by structured clone. */
export function takeSnapshot(views: IngestViews, leadership: Leadership, clock: Clock): IngestSnapshot {
  return {
    takenAt: clock.now(),
    router: views.router(),
    alpaca: views.alpaca(),
    yahoo: views.yahoo(),
    ingest: views.ingest(),
    validation: views.validation(),
    writer: views.writer(),
    backfill: views.backfill(),
    market: views.market(),
    symbols: views.symbols(),
    leadership: {
      kind: leadership.kind,
      isLeader: leadership.isLeader,
      leaderSince: leadership.leaderSince,
    },
  };
}

/** The same views, answered from the latest snapshot (null while there is none). */
export function snapshotViews(current: () => IngestSnapshot | null): IngestViews {
  return {
    router: () => current()?.router ?? null,
    alpaca: () => current()?.alpaca ?? null,
    yahoo: () => current()?.yahoo ?? null,
    ingest: () => current()?.ingest ?? null,
    validation: () => current()?.validation ?? null,
    writer: () => current()?.writer ?? null,
    backfill: () => current()?.backfill ?? [],
    market: () => current()?.market ?? null,
    symbols: () => current()?.symbols ?? [],
  };
}
