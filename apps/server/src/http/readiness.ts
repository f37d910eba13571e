import { busNotReadyReasons } from "./bus-readiness";
import { databaseNotReadyReasons, sourceNotReadyReasons } from "./health-status";
import { ingestThreadNotReadyReasons } from "./ingest-thread-readiness";
import type { OpsViews, ReadinessSettings } from "./views";

/** Each thing a replica needs to make progress, reported on its own so on-call sees which one failed. */
export type Dependency = "ingestThread" | "source" | "database" | "bus";

export interface DependencyReadiness {
  ready: boolean;
  reasons: string[];
}

export interface Readiness {
  ready: boolean;
  /** Every reason, in dependency order (the runbooks read `.reasons[0]`). */
  reasons: string[];
  dependencies: Record<Dependency, DependencyReadiness>;
}

/**
 * Readiness from live state, per dependency, recomputed on every request so it returns by itself
 * when the cause goes away. The database only counts where ticks are committed (ROLE all|ingest):
 * a realtime replica serves live prices from the bus whatever the database does.
 */
export function readiness(views: OpsViews, now: number, settings: ReadinessSettings): Readiness {
  const commitsTicks = views.replica().role !== "realtime";
  const byDependency: Record<Dependency, string[]> = {
    ingestThread: ingestThreadNotReadyReasons(views.ingestThread?.()),
    source: sourceNotReadyReasons(views.router(), now, settings),
    database: commitsTicks
      ? databaseNotReadyReasons(views.database?.() ?? null, views.writer(), now, settings)
      : [],
    bus: busNotReadyReasons(views.bus?.()),
  };
  const dependencies = Object.fromEntries(
    Object.entries(byDependency).map(([name, reasons]) => [name, { ready: reasons.length === 0, reasons }]),
  ) as Record<Dependency, DependencyReadiness>;
  const reasons = Object.values(byDependency).flat();
  return { ready: reasons.length === 0, reasons, dependencies };
}
