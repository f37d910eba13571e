import type { Clock } from "./clock";
import type { Logger } from "./logger";
import { LeaseElector } from "./leader/lease-elector";
import { FixedLeadership } from "./leader/fixed-leadership";
import type { Leadership } from "./leader/leadership";

export type { Leadership, LeadershipKind } from "./leader/leadership";
export { LeaseElector, ALPACA_LEASE_NAME } from "./leader/lease-elector";
export { FixedLeadership } from "./leader/fixed-leadership";

export interface LeadershipSettings {
  ROLE: "all" | "ingest" | "realtime";
  DATABASE_URL?: string | undefined;
  LEADER_RETRY_MS: number;
  LEADER_PROBE_MS: number;
  LEADER_LEASE_SECONDS: number;
  LEADER_LEASE_MARGIN_SECONDS: number;
}

/**
 * Who may hold the single Alpaca connection (Alpaca allows one per account and feed; a second gets
 * 406). ROLE=realtime never does; with PGlite there is one process per data directory, so it always
 * does; with PostgreSQL the holder of a lease (leader/lease-elector.ts, docs/scaling.md) does.
 */
export function createLeadership(
  settings: LeadershipSettings,
  replicaId: string,
  logger: Logger,
  clock: Clock,
): Leadership {
  if (settings.ROLE === "realtime") return new FixedLeadership("never", clock);
  if (settings.DATABASE_URL === undefined) return new FixedLeadership("always", clock);
  return new LeaseElector({
    connectionString: settings.DATABASE_URL,
    replicaId,
    leaseMs: settings.LEADER_LEASE_SECONDS * 1000,
    marginMs: settings.LEADER_LEASE_MARGIN_SECONDS * 1000,
    renewMs: settings.LEADER_PROBE_MS,
    retryMs: settings.LEADER_RETRY_MS,
    clock,
    logger: logger.child({ component: "leader" }),
  });
}
