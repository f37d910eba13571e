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
  /**
   * The primary is healthy: it delivered data since its last failure (or, with the market closed,
   * has a session). A reconnect alone is not a recovery: a stream can answer the handshake and stay mute.
   */
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
  /**
   * The US equity session is open (market clock). Outside it silence is expected, so a working
   * session is all the health the primary can show. True when no market clock is configured.
   */
  marketOpen: boolean;
  /** The primary has a session (connected, authenticated, subscribed); says nothing about data. */
  primarySessionUp: boolean;
}

export function initialFacts(primaryEnabled: boolean, graceMs: number, marketOpen = true): RouterFacts {
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
    marketOpen,
    primarySessionUp: false,
  };
}
