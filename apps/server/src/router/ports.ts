import type { Logger } from "../logger";
import type { Clock } from "../clock";
import type { FallbackSource, MarketDataSource, SourceEvent } from "../sources/source";

export type { FallbackSource };
import type { FlapDampingSettings } from "./flap-damping";
import type { CrossSourceView, TransitionRecorder } from "./snapshot";

export interface RouterSettings {
  /** ENABLE_ALPACA_STREAMING. */
  primaryEnabled: boolean;
  maxConsecutiveFailures: number;
  /** MESSAGE_TIMEOUT_SECONDS in ms; 0 disables the silence watchdog. */
  messageTimeoutMs: number;
  fallbackActivationDelayMs: number;
  primaryRecoveryGraceMs: number;
  flapDamping?: FlapDampingSettings;
}

/** The market clock as the router sees it: whether the US equity session is open, and when that changes. */
export interface MarketSessionFeed {
  isOpen(): boolean;
  /** Called with the new state on every open/close; returns the unsubscribe function. */
  onChange(listener: (open: boolean) => void): () => void;
}

export interface DataSourceRouterOptions {
  primary: MarketDataSource | null;
  fallback: FallbackSource;
  /** Receives the active source's data events only (exactly one source feeds the pipeline). */
  sink: (event: SourceEvent) => void;
  clock: Clock;
  logger: Logger;
  settings: RouterSettings;
  recorder?: TransitionRecorder;
  crossSource?: { view(): CrossSourceView };
  /** Without one the market counts as always open (silence is always a fault). */
  marketSession?: MarketSessionFeed;
}
