import type { BusView, OpsViews } from "./views";

/**
 * Readiness beyond the leader's own data path: a replica serves clients only through the bus, so
 * it is not ready while the bus is down, nor (when it does not lead) before the first leader data
 * has arrived. Later silence from the leader does not flip readiness — all realtime replicas would
 * leave the load balancer at once during a failover; /health reports it instead.
 */
export function busNotReadyReasons(bus: BusView | undefined): string[] {
  if (bus === undefined) return [];
  const reasons: string[] = [];
  if (!bus.connected) reasons.push(`market bus (${bus.kind}) is disconnected`);
  else if (bus.needsLeaderData && !bus.receivedLeaderData)
    reasons.push("waiting for the first market data from the leader over the bus");
  return reasons;
}

/** The `leader` block every health answer carries: which replica holds the Alpaca connection. */
export function leaderOf(views: OpsViews): {
  replicaId: string | null;
  isLeader: boolean;
  since: string | null;
  lastSeenAt: string | null;
} {
  const replica = views.replica();
  return (
    replica.leader ?? {
      replicaId: replica.isLeader ? replica.replicaId : null,
      isLeader: replica.isLeader,
      since: null,
      lastSeenAt: null,
    }
  );
}
