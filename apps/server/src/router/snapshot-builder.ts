import type { DampingView } from "./flap-damping";
import type { DataSourceRouterOptions } from "./ports";
import { iso, type RouterSnapshot, type TransitionRecord } from "./snapshot";
import { ACTIVE_SOURCE, type RouterFacts, type RouterState } from "./states";

/** What the router has counted, besides its facts, that the snapshot reports. */
export interface RouterCounts {
  state: RouterState;
  sinceMs: number;
  fallbackCount: number;
  /** Oldest first. */
  transitions: readonly TransitionRecord[];
  forcedBy: { actor: string; at: number } | null;
  consecutiveFailures: number;
  lastPrimaryDataAt: number | null;
  lastFallbackDataAt: number | null;
  stale: boolean;
}

/** The read-only view of the router for the health answers and the status channel. */
export function buildRouterSnapshot(
  options: Pick<DataSourceRouterOptions, "settings" | "primary" | "fallback" | "crossSource">,
  facts: RouterFacts,
  damping: DampingView,
  counts: RouterCounts,
): RouterSnapshot {
  const { settings, primary, fallback, crossSource } = options;
  const active = ACTIVE_SOURCE[counts.state];
  return {
    connectionState: counts.state,
    currentDataSource: active === "primary" ? "alpaca" : active === "fallback" ? "yahoo" : null,
    since: new Date(counts.sinceMs).toISOString(),
    fallbackCount: counts.fallbackCount,
    lastTransition: counts.transitions.at(-1) ?? null,
    recentTransitions: counts.transitions.slice(-20).reverse(),
    forcedMode: {
      active: facts.forcedFallback,
      actor: counts.forcedBy?.actor ?? null,
      since: iso(counts.forcedBy?.at ?? null),
    },
    primaryEnabled: facts.primaryEnabled,
    marketOpen: facts.marketOpen,
    pricesStale: counts.stale,
    damping,
    primary: {
      up: facts.primaryUp,
      sessionUp: facts.primarySessionUp,
      failureReason: facts.primaryFailureReason,
      consecutiveFailures: counts.consecutiveFailures,
      lastDataAt: iso(counts.lastPrimaryDataAt),
      health: primary?.health() ?? null,
    },
    fallback: {
      up: facts.fallbackUp,
      failureReason: facts.fallbackFailureReason,
      lastDataAt: iso(counts.lastFallbackDataAt),
      health: fallback.health(),
    },
    settings: {
      maxConsecutiveFailures: settings.maxConsecutiveFailures,
      messageTimeoutSeconds: settings.messageTimeoutMs / 1000,
      fallbackActivationDelaySeconds: settings.fallbackActivationDelayMs / 1000,
      primaryRecoveryGracePeriodSeconds: facts.effectiveGraceMs / 1000,
    },
    crossSource: crossSource?.view() ?? null,
  };
}
