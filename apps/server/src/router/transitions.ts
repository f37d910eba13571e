import { actorOf as actor, type RouterEvent, type RouterEventType } from "./events";
import type { RouterFacts, RouterState } from "./states";

/** What a guard may look at: the facts and the time (never the event: rows say which events they take). */
export interface GuardFacts {
  facts: RouterFacts;
  now: number;
}

export interface GuardInput extends GuardFacts {
  event: RouterEvent;
}

export interface Guard {
  readonly name: string;
  test(input: GuardFacts): boolean;
}

export interface TransitionRow {
  readonly to: RouterState;
  /** Every listed guard must hold; the first matching row wins. */
  readonly guards: readonly Guard[];
  readonly reason: (input: GuardInput) => string;
}

const guard = (name: string, test: (input: GuardFacts) => boolean): Guard => ({ name, test });

export const GUARDS = {
  primaryDown: guard("primaryDown", ({ facts }) => !facts.primaryUp),
  fallbackUp: guard("fallbackUp", ({ facts }) => facts.fallbackUp),
  fallbackDown: guard("fallbackDown", ({ facts }) => !facts.fallbackUp),
  notForced: guard("notForced", ({ facts }) => !facts.forcedFallback),
  primaryEnabled: guard("primaryEnabled", ({ facts }) => facts.primaryEnabled),
  primaryUp: guard("primaryUp", ({ facts }) => facts.primaryUp),
  /**
   * Hysteresis: up for the whole (possibly damped) grace period, with data seen during it — or,
   * with the market closed, a session held throughout (no data is due then).
   */
  primaryStable: guard(
    "primaryStable",
    ({ facts, now }) =>
      facts.primaryUp &&
      facts.primaryStableSince !== null &&
      (facts.primaryDataSinceRecovery || !facts.marketOpen) &&
      now - facts.primaryStableSince >= facts.effectiveGraceMs,
  ),
  marketClosed: guard("marketClosed", ({ facts }) => !facts.marketOpen),
  /**
   * The shell's silence watchdog asks this before counting silence: only a primary believed healthy
   * can fall silent, and only during the session is silence a fault.
   */
  silenceIsFailure: guard(
    "silenceIsFailure",
    ({ facts }) => facts.primaryEnabled && facts.primaryUp && facts.marketOpen,
  ),
  /** Anything beats no data: usable primary without waiting for the grace period. */
  primaryUsableNow: guard(
    "primaryUsableNow",
    ({ facts }) => facts.primaryEnabled && !facts.forcedFallback && facts.primaryUp,
  ),
} as const;

const G = GUARDS;
const seconds = (ms: number) => `${Math.round(ms / 100) / 10}s`;
const primaryReason = (facts: RouterFacts) => `Alpaca ${facts.primaryFailureReason ?? "failed"}`;
const fallbackReason = (facts: RouterFacts) => `Yahoo ${facts.fallbackFailureReason ?? "unavailable"}`;

/**
 * The DataSourceRouter as data: (state, event) → candidate rows, tried in order. A pair that is
 * absent (or whose guards all fail) changes facts only, never the state.
 */
export const TRANSITIONS: Readonly<
  Record<RouterState, Partial<Record<RouterEventType, readonly TransitionRow[]>>>
> = {
  PRIMARY_ACTIVE: {
    ACTIVATION_DELAY_ELAPSED: [
      {
        to: "FALLBACK_ACTIVE",
        guards: [G.primaryDown, G.fallbackUp],
        reason: ({ facts }) => primaryReason(facts),
      },
      {
        to: "BOTH_UNAVAILABLE",
        guards: [G.primaryDown, G.fallbackDown],
        reason: ({ facts }) => `${primaryReason(facts)}; ${fallbackReason(facts)}`,
      },
    ],
    FORCE_FALLBACK: [
      {
        to: "FALLBACK_ACTIVE",
        guards: [G.fallbackUp],
        reason: ({ event }) => `manual failover by ${actor(event)}`,
      },
      {
        to: "BOTH_UNAVAILABLE",
        guards: [G.fallbackDown],
        reason: ({ event, facts }) => `manual failover by ${actor(event)}; ${fallbackReason(facts)}`,
      },
    ],
    PRIMARY_DISABLED: [
      { to: "FALLBACK_ACTIVE", guards: [G.fallbackUp], reason: () => "primary disabled" },
      {
        to: "BOTH_UNAVAILABLE",
        guards: [G.fallbackDown],
        reason: ({ facts }) => `primary disabled; ${fallbackReason(facts)}`,
      },
    ],
  },
  FALLBACK_ACTIVE: {
    GRACE_ELAPSED: [
      {
        to: "PRIMARY_ACTIVE",
        guards: [G.primaryEnabled, G.notForced, G.primaryStable],
        reason: ({ facts }) => `Alpaca recovered (stable for ${seconds(facts.effectiveGraceMs)})`,
      },
    ],
    FALLBACK_FAILED: [
      {
        to: "PRIMARY_ACTIVE",
        guards: [G.primaryUsableNow],
        reason: ({ facts }) => `${fallbackReason(facts)}; Alpaca up, grace period cut short`,
      },
      {
        to: "BOTH_UNAVAILABLE",
        guards: [],
        reason: ({ facts }) => `${fallbackReason(facts)}; ${primaryReason(facts)}`,
      },
    ],
    RELEASE_MANUAL: [
      {
        to: "PRIMARY_ACTIVE",
        guards: [G.primaryEnabled, G.notForced, G.primaryStable],
        reason: ({ event }) => `returned to automatic by ${actor(event)}; Alpaca stable`,
      },
    ],
  },
  BOTH_UNAVAILABLE: {
    PRIMARY_RECOVERED: [
      { to: "PRIMARY_ACTIVE", guards: [G.primaryUsableNow], reason: () => "Alpaca recovered" },
    ],
    // During the session only data recovers the primary (PRIMARY_RECOVERED); outside it a session does.
    PRIMARY_SESSION_UP: [
      {
        to: "PRIMARY_ACTIVE",
        guards: [G.marketClosed, G.primaryUsableNow],
        reason: () => "Alpaca session up (market closed: no data due)",
      },
    ],
    MARKET_CLOSED: [
      {
        to: "PRIMARY_ACTIVE",
        guards: [G.primaryUsableNow],
        reason: () => "market closed; Alpaca session up (no data due)",
      },
    ],
    FALLBACK_RECOVERED: [{ to: "FALLBACK_ACTIVE", guards: [G.fallbackUp], reason: () => "Yahoo recovered" }],
    RELEASE_MANUAL: [
      {
        to: "PRIMARY_ACTIVE",
        guards: [G.primaryUsableNow],
        reason: ({ event }) => `returned to automatic by ${actor(event)}; Alpaca up`,
      },
    ],
  },
};

export interface Decision {
  to: RouterState;
  reason: string;
}

/** The table lookup: first row whose guards all hold, or null (stay, facts only). */
export function decide(state: RouterState, input: GuardInput): Decision | null {
  const rows = TRANSITIONS[state][input.event.type] ?? [];
  for (const row of rows) {
    if (row.guards.every((g) => g.test(input))) return { to: row.to, reason: row.reason(input) };
  }
  return null;
}
