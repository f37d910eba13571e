import type { RouterFacts } from "./states";

/**
 * Everything that can move the router. Automatic events come from the shell's watchdogs and the
 * sources; manual ones carry the operator (JWT subject) as `actor`.
 */
export type RouterEvent =
  /** The primary hit MAX_CONSECUTIVE_FAILURES, MESSAGE_TIMEOUT_SECONDS of silence, or a configuration error. */
  | { type: "PRIMARY_FAILED"; reason: string }
  /** FALLBACK_ACTIVATION_DELAY_SECONDS passed since PRIMARY_FAILED. */
  | { type: "ACTIVATION_DELAY_ELAPSED" }
  /** The primary delivers data again after a failure; the grace period starts. */
  | { type: "PRIMARY_RECOVERED"; at: number }
  /** The primary's handshake finished (connected, authenticated, subscribed): no data yet. */
  | { type: "PRIMARY_SESSION_UP"; at: number }
  /** The primary's session ended (closed, refused, abandoned by a watchdog). */
  | { type: "PRIMARY_SESSION_LOST"; reason: string }
  /** The market clock says the US equity session opened / closed. */
  | { type: "MARKET_OPENED"; at: number }
  | { type: "MARKET_CLOSED"; at: number }
  /** A primary data message (only its first one after a recovery matters to the guards). */
  | { type: "PRIMARY_DATA" }
  /** The grace-period timer ran out; the guard checks the primary really was stable throughout. */
  | { type: "GRACE_ELAPSED"; at: number }
  | { type: "FALLBACK_FAILED"; reason: string }
  | { type: "FALLBACK_RECOVERED" }
  | { type: "FORCE_FALLBACK"; actor: string }
  | { type: "RELEASE_MANUAL"; actor: string }
  | { type: "RECONNECT_PRIMARY"; actor: string }
  | { type: "PRIMARY_DISABLED" }
  /** Flap damping changed the grace period. */
  | { type: "GRACE_CHANGED"; graceMs: number };

export type RouterEventType = RouterEvent["type"];

/** Matches the store's source_events convention for automatic transitions. */
export const SYSTEM_ACTOR = "router";

export function actorOf(event: RouterEvent): string {
  return "actor" in event ? event.actor : SYSTEM_ACTOR;
}

/** The facts after `event`, before the table decides; pure so the table tests can drive it. */
export function applyEvent(facts: RouterFacts, event: RouterEvent): RouterFacts {
  switch (event.type) {
    case "PRIMARY_FAILED":
      return {
        ...facts,
        primaryUp: false,
        primaryFailureReason: event.reason,
        primaryStableSince: null,
        primaryDataSinceRecovery: false,
      };
    case "PRIMARY_RECOVERED":
      return recovered(facts, event.at);
    case "PRIMARY_SESSION_UP": {
      const withSession = { ...facts, primarySessionUp: true };
      // Outside the session no data is due: a working session is all the health there can be.
      return facts.marketOpen ? withSession : recovered(withSession, event.at);
    }
    case "PRIMARY_SESSION_LOST":
      return { ...facts, primarySessionUp: false };
    case "MARKET_OPENED":
      return { ...facts, marketOpen: true };
    case "MARKET_CLOSED": {
      const closed = { ...facts, marketOpen: false };
      // Silence that began in the session is forgiven at the close if a session is still there.
      return facts.primarySessionUp ? recovered(closed, event.at) : closed;
    }
    case "PRIMARY_DATA":
      return facts.primaryUp && !facts.primaryDataSinceRecovery
        ? { ...facts, primaryDataSinceRecovery: true }
        : facts;
    case "FALLBACK_FAILED":
      return { ...facts, fallbackUp: false, fallbackFailureReason: event.reason };
    case "FALLBACK_RECOVERED":
      return { ...facts, fallbackUp: true, fallbackFailureReason: null };
    case "FORCE_FALLBACK":
      return { ...facts, forcedFallback: true };
    case "RELEASE_MANUAL":
      return { ...facts, forcedFallback: false };
    case "PRIMARY_DISABLED":
      return {
        ...facts,
        primaryEnabled: false,
        primaryUp: false,
        primaryFailureReason: "primary disabled",
        primaryStableSince: null,
        primaryDataSinceRecovery: false,
      };
    case "GRACE_CHANGED":
      return { ...facts, effectiveGraceMs: event.graceMs };
    case "ACTIVATION_DELAY_ELAPSED":
    case "GRACE_ELAPSED":
    case "RECONNECT_PRIMARY":
      return facts;
  }
}

/** The primary counts as up again from `at` (unless it already was, or is disabled). */
function recovered(facts: RouterFacts, at: number): RouterFacts {
  if (!facts.primaryEnabled) return facts;
  return facts.primaryUp && facts.primaryStableSince !== null
    ? facts
    : {
        ...facts,
        primaryUp: true,
        primaryFailureReason: null,
        primaryStableSince: at,
        primaryDataSinceRecovery: false,
      };
}
