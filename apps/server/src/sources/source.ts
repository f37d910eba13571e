import type { Bar1m, Quote, SourceName, Trade } from "@torghut/contracts";

/**
 * The port every market-data adapter implements (Alpaca stream, Yahoo polling). The router depends
 * on this interface only; adapters know nothing of the router.
 */
export interface MarketDataSource {
  readonly name: SourceName;
  /** Begin connecting/polling. Resolves once started (not once connected); failures surface as events. */
  start(): Promise<void>;
  /** Stop for good: close sockets, clear timers. Idempotent. */
  stop(): Promise<void>;
  /** Drop the current session and connect again now (clears a configuration-error stop). */
  reconnect(): void;
  /** The symbols this source should deliver; adapters resubscribe/poll the new set. */
  setSymbols(symbols: readonly string[]): void;
  /** Subscribe to events; returns the unsubscribe function. */
  onEvent(listener: SourceListener): () => void;
  /** A cheap read-only snapshot for health endpoints and the router. */
  health(): SourceHealth;
}

/** The fallback is polled only while it is needed; the router switches it on and off. */
export interface FallbackSource extends MarketDataSource {
  /** Poll now and then at every interval. Idempotent. */
  activate(): void;
  /** Stop polling; health is kept. Idempotent. */
  deactivate(): void;
}

export type SourceListener = (event: SourceEvent) => void;

export type SourceEvent =
  | { type: "trade"; trade: Trade }
  | { type: "quote"; quote: Quote }
  | { type: "bar"; bar: Bar1m }
  /** The session became usable (Alpaca: authenticated and subscribed; Yahoo: a poll succeeded). */
  | { type: "up" }
  /** A failure the router counts: connection lost, watchdog silence, poll failed, auth rejected. */
  | { type: "failure"; reason: string; retryable: boolean }
  /** A symbol-level note from upstream (trading status, halts, refused subscriptions). */
  | { type: "notice"; message: string; symbols?: readonly string[]; halted?: boolean };

export interface SourceHealth {
  /** Delivering data now (Alpaca: connected + authenticated + not silent; Yahoo: last poll ok). */
  healthy: boolean;
  connected: boolean;
  authenticated: boolean;
  lastError: string | null;
  consecutiveFailures: number;
  subscribedSymbols: readonly string[];
  /** Epoch ms of the last data message, or null. */
  lastMessageAt: number | null;
  /** Epoch ms of the last successful session/poll, or null. */
  lastSuccessAt: number | null;
  messagesReceived: number;
  reconnectAttempts: number;
  /** True when the adapter stopped retrying because of a configuration error (bad key, wrong feed). */
  configurationError: boolean;
  /** Epoch ms of the last attempt that got an answer or failed (a poll or standby probe), if tracked. */
  lastAttemptAt?: number | null;
}
