import type { RouterSnapshot } from "../router";
import type { SourceHealth } from "../sources/source";
import type { TickWriterStats } from "../store/tick-writer";
import type { DatabaseView } from "../health/database-probe";
import type { ReadinessSettings } from "./views";

/** The runbooks' three-level status vocabulary. */
export type HealthStatus = "Healthy" | "Degraded" | "Unhealthy";

const RANK: Record<HealthStatus, number> = { Healthy: 0, Degraded: 1, Unhealthy: 2 };

export function worst(...statuses: HealthStatus[]): HealthStatus {
  return statuses.reduce<HealthStatus>((a, b) => (RANK[b] > RANK[a] ? b : a), "Healthy");
}

/** Alpaca: streaming → Healthy; connected but silent or retrying → Degraded; down or misconfigured → Unhealthy. */
export function alpacaStatus(health: SourceHealth | null): HealthStatus {
  if (health === null) return "Unhealthy";
  if (health.configurationError || !health.connected) return "Unhealthy";
  return health.healthy && health.authenticated ? "Healthy" : "Degraded";
}

/** The data path as a trader sees it: primary live → Healthy; fallback (delayed) → Degraded; nothing → Unhealthy. */
export function dataSourceStatus(router: RouterSnapshot | null): HealthStatus {
  if (router === null) return "Unhealthy";
  switch (router.connectionState) {
    case "PRIMARY_ACTIVE":
      return router.pricesStale ? "Degraded" : "Healthy";
    case "FALLBACK_ACTIVE":
      return "Degraded";
    case "BOTH_UNAVAILABLE":
      return "Unhealthy";
  }
}

export function writerStatus(
  writer: TickWriterStats | null,
  now: number,
  settings: ReadinessSettings,
): HealthStatus {
  if (writer === null) return "Healthy";
  if (writerStuck(writer, now, settings)) return "Unhealthy";
  return writer.consecutiveFailures > 0 || writer.dropped > 0 ? "Degraded" : "Healthy";
}

export function writerStuck(writer: TickWriterStats, now: number, settings: ReadinessSettings): boolean {
  if (writer.queueDepth === 0) return false;
  const lastCommit = writer.lastCommitAt ?? 0;
  return writer.consecutiveFailures > 0 && now - lastCommit > settings.writerMaxCommitAgeMs;
}

/** Why the active market-data source is not making progress (empty when it is). */
export function sourceNotReadyReasons(
  router: RouterSnapshot | null,
  now: number,
  settings: ReadinessSettings,
): string[] {
  if (router === null) return [];
  const source = router.currentDataSource;
  if (router.connectionState === "BOTH_UNAVAILABLE" || source === null) {
    return ["no market-data source available (BOTH_UNAVAILABLE)"];
  }
  const lastDataAt = source === "alpaca" ? router.primary.lastDataAt : router.fallback.lastDataAt;
  const maxSilence = source === "alpaca" ? settings.primaryMaxSilenceMs : settings.fallbackMaxSilenceMs;
  const age = lastDataAt === null ? Infinity : now - Date.parse(lastDataAt);
  // Outside the session no data is due: quiet is not a lack of progress.
  if (age > maxSilence && router.marketOpen) {
    return [
      `active source ${source} made no progress for ${lastDataAt === null ? "ever" : `${Math.round(age / 1000)}s`}`,
    ];
  }
  return [];
}

/** Why ticks cannot be committed: the database does not answer, or the writer has stopped committing. */
export function databaseNotReadyReasons(
  database: DatabaseView | null,
  writer: TickWriterStats | null,
  now: number,
  settings: ReadinessSettings,
): string[] {
  const reasons: string[] = [];
  if (database !== null && !database.reachable) {
    reasons.push(`database unavailable, ticks cannot be committed: ${database.lastError ?? "no answer"}`);
  }
  // The writer's own verdict: SELECT 1 can work while ticks cannot be committed (a revoked grant, a
  // dropped table). A hold shorter than the grace is one retry (a deadlock, a failover) and no outage.
  const held = writer?.commit;
  if (held && !held.canCommit && now - (held.since ?? now) >= settings.writerHoldGraceMs) {
    reasons.push(`ticks cannot be committed: ${held.reason ?? "the database refuses them"}`);
    return reasons;
  }
  if (writer !== null && writerStuck(writer, now, settings)) {
    reasons.push(
      `tick writer is not committing (${writer.queueDepth} queued): ${writer.lastError ?? "database unavailable"}`,
    );
  }
  return reasons;
}
