import type { SourceName } from "@torghut/contracts";
import type { SourceHealth } from "../sources/source";
import type { DampingView } from "./flap-damping";
import type { RouterEventType } from "./events";
import type { RouterState } from "./states";

/** One state change, as logged, recorded in source_events and pushed on the `status` channel. */
export interface TransitionRecord {
  from: RouterState;
  to: RouterState;
  reason: string;
  /** "router" for automatic transitions, the operator's JWT subject for manual ones. */
  actor: string;
  event: RouterEventType;
  /** Epoch ms. */
  at: number;
}

/** Persists transitions (source_events); implemented by the store. Failures are logged, never fatal. */
export interface TransitionRecorder {
  record(transition: TransitionRecord): Promise<void> | void;
}

/** A window in which the primary's data did not reach the pipeline; the backfill closes it. */
export interface PrimaryGap {
  startMs: number;
  endMs: number;
  cause: "failback" | "reconnect";
}

/** What the cross-source check exposes to /api/health/datasource. */
export interface CrossSourceView {
  checks: number;
  deltasOverThreshold: number;
  thresholdPercent: number;
  recentDeltas: readonly {
    symbol: string;
    primaryPrice: number;
    fallbackPrice: number;
    deltaPercent: number;
    at: string;
  }[];
}

/** Read-only view for /api/health/datasource and /api/health/stocks. */
export interface RouterSnapshot {
  connectionState: RouterState;
  /** The source feeding the pipeline now; null in BOTH_UNAVAILABLE. */
  currentDataSource: SourceName | null;
  since: string;
  fallbackCount: number;
  lastTransition: TransitionRecord | null;
  recentTransitions: readonly TransitionRecord[];
  forcedMode: { active: boolean; actor: string | null; since: string | null };
  primaryEnabled: boolean;
  /** The market clock's view (true without one): outside the session silence is not a fault. */
  marketOpen: boolean;
  /** Last primary prices are still shown but no longer current (activation delay, or nothing available). */
  pricesStale: boolean;
  damping: DampingView;
  primary: {
    /** Healthy: data since the last failure (or a session while the market is closed). */
    up: boolean;
    /** Has a session (handshake done); a session without data is not `up` during the session. */
    sessionUp: boolean;
    failureReason: string | null;
    consecutiveFailures: number;
    lastDataAt: string | null;
    health: SourceHealth | null;
  };
  fallback: { up: boolean; failureReason: string | null; lastDataAt: string | null; health: SourceHealth };
  settings: {
    maxConsecutiveFailures: number;
    messageTimeoutSeconds: number;
    fallbackActivationDelaySeconds: number;
    primaryRecoveryGracePeriodSeconds: number;
  };
  crossSource: CrossSourceView | null;
}

export type RouterStatusEvent =
  | { kind: "transition"; transition: TransitionRecord; snapshot: RouterSnapshot }
  | { kind: "stale" | "forced" | "damping"; snapshot: RouterSnapshot };

export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
