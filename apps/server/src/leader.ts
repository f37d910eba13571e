import type { Clock } from "./clock";
import type { Logger } from "./logger";
import { AdvisoryLockElector } from "./leader/advisory-lock-elector";
import { FixedLeadership } from "./leader/fixed-leadership";
import type { Leadership } from "./leader/leadership";

export type { Leadership, LeadershipKind } from "./leader/leadership";
export { AdvisoryLockElector, ALPACA_LEADER_LOCK_KEY } from "./leader/advisory-lock-elector";
export { FixedLeadership } from "./leader/fixed-leadership";

export interface LeadershipSettings {
  ROLE: "all" | "ingest" | "realtime";
  DATABASE_URL?: string | undefined;
  LEADER_RETRY_MS: number;
  LEADER_PROBE_MS: number;
}

/**
 * Who may hold the single Alpaca connection (Alpaca allows one per account and feed; a second gets
 * 406). ROLE=realtime never does; with PGlite there is one process per data directory, so it always
 * does; with PostgreSQL the holder of an advisory lock does.
 */
export function createLeadership(
  settings: LeadershipSettings,
  replicaId: string,
  logger: Logger,
  clock: Clock,
): Leadership {
  if (settings.ROLE === "realtime") return new FixedLeadership("never", clock);
  if (settings.DATABASE_URL === undefined) return new FixedLeadership("always", clock);
  return new AdvisoryLockElector({
    connectionString: settings.DATABASE_URL,
    replicaId,
    retryMs: settings.LEADER_RETRY_MS,
    probeMs: settings.LEADER_PROBE_MS,
    clock,
    logger: logger.child({ component: "leader" }),
  });
}
