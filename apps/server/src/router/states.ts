import type { RouterState } from "@torghut/contracts";

export type { RouterState };

export const ROUTER_STATES: readonly RouterState[] = [
  "PRIMARY_ACTIVE",
  "FALLBACK_ACTIVE",
  "BOTH_UNAVAILABLE",
];

/** Which source feeds the pipeline in each state; `null` means nothing is forwarded. */
export const ACTIVE_SOURCE: Readonly<Record<RouterState, "primary" | "fallback" | null>> = {
  PRIMARY_ACTIVE: "primary",
  FALLBACK_ACTIVE: "fallback",
  BOTH_UNAVAILABLE: null,
};

/**
 * What the guards may look at. The shell keeps these facts current (counting failures, watching
 * silence, measuring stability) so that the table itself stays a pure lookup.
 */
export interface RouterFacts {
  /** `ENABLE_ALPACA_STREAMING`; false means Yahoo only (the runbook's rollback). */
  primaryEnabled: boolean;
  /** The primary is delivering: not failed by count, silence or a configuration error. */
  primaryUp: boolean;
  /** Why the primary was last declared failed ("timeout: no data for 30s"). */
  primaryFailureReason: string | null;
  /** Epoch ms from which the primary has been up without a failure; null while down. */
  primaryStableSince: number | null;
  /** At least one primary data message arrived since `primaryStableSince` (stable *data*, not just a session). */
  primaryDataSinceRecovery: boolean;
  /** Unknown counts as up: the fallback is polled only when needed, so its first poll tells. */
  fallbackUp: boolean;
  fallbackFailureReason: string | null;
  /** An operator forced the fallback; holds until released. */
  forcedFallback: boolean;
  /** The recovery grace period now in force (lengthened by flap damping). */
  effectiveGraceMs: number;
}

export function initialFacts(primaryEnabled: boolean, graceMs: number): RouterFacts {
  return {
    primaryEnabled,
    primaryUp: primaryEnabled,
    primaryFailureReason: primaryEnabled ? null : "primary disabled",
    primaryStableSince: null,
    primaryDataSinceRecovery: false,
    fallbackUp: true,
    fallbackFailureReason: null,
    forcedFallback: false,
    effectiveGraceMs: graceMs,
  };
}
