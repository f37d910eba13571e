/**
 * The simulator's public surface, used by tests, benchmarks and `npm start`. Implemented in
 * server.ts; this file only fixes the shape so that consumers can code against it.
 */
export type AlpacaFault =
  | "down" // refuse new connections (and close existing ones)
  | "429" // refuse new connections with HTTP 429 (open sockets carry on)
  | "drop" // close every socket uncleanly (no close frame); sessions linger as stale
  | "silent" // sockets stay open, pings answered, no data
  | "stall" // stop reading from clients
  | "connection-limit" // every auth answers 406
  | "auth-fail" // every auth answers 402
  | "malformed" // invalid frames and fields mixed into valid ones
  | "spike" // a price jump of `percent` % on `symbol`
  | "future-timestamps" // event times `seconds` ahead of the clock
  | "slow-client" // 407 then close
  | "upgrade-status" // drop every socket, then answer upgrades with HTTP `status` (404, 401, 402, 406…)
  | "halt" // `symbol` stops trading: a trading-status halt message, then no trades or quotes for it
  | "drip"; // one data message every `seconds` s instead of the flow
export type RestFault = "down" | "429";
/** The trading API's clock and calendar. */
export type TradingFault = "down" | "hang";
export type YahooFault =
  | "down"
  | "429"
  | "slow"
  | "malformed"
  | "html" // 200 with an HTML page (a consent wall or a captive portal) instead of JSON
  | "hang"; // accept the request and never answer

export interface FaultSpec {
  target: "alpaca" | "rest" | "yahoo" | "trading";
  fault: AlpacaFault | RestFault | YahooFault | TradingFault;
  /** Fault ends by itself after this long (simulator clock), otherwise until cleared. */
  durationMs?: number;
  /** Fault starts this long after it is set (simulator clock); default at once. */
  delayMs?: number;
  symbol?: string;
  percent?: number;
  seconds?: number;
  /** Added latency for Yahoo `slow`. */
  latencyMs?: number;
  /** HTTP status for `upgrade-status`. */
  status?: number;
}

export interface SimulatorCounters {
  connectionsOpened: number;
  /** Authenticated sessions currently counted by Alpaca's rules (live + stale). Must stay ≤ 1 per key. */
  concurrentAuthenticatedSessions: number;
  maxConcurrentAuthenticatedSessions: number;
  framesSent: number;
  messagesSent: number;
  restRequests: number;
  yahooRequests: number;
  errorsSent: Record<string, number>;
}

export interface SimulatorOptions {
  port?: number; // 0 = any free port
  host?: string;
  seed?: number;
  symbols?: readonly string[];
  /** Trades per second across all symbols. */
  tradesPerSecond?: number;
  /** Valid API keys: key id → secret, with the feeds each key's plan includes. */
  keys?: { keyId: string; secretKey: string; feeds?: readonly string[] }[];
  /** Alpaca auth window (default 10 s). */
  authTimeoutMs?: number;
  /** How long a session dropped uncleanly still counts against the connection limit (default 90 s). */
  staleSessionMs?: number;
  /** Drive time by hand in tests (`control.advance(ms)`); real time otherwise. */
  manualClock?: boolean;
  /** The session starts open (default) or closed. */
  marketOpen?: boolean;
  /** Start time of the simulated market (epoch ms); default now. */
  startTime?: number;
  restRateLimitPerMinute?: number;
  /** Synthetic minute history before startTime (default 1440 = one day). */
  historyMinutes?: number;
  /** Synthetic daily history before the minute history (default 400 days). */
  historyDays?: number;
  /** Minute bars kept per symbol before older ones are folded into daily bars (default 10080). */
  maxHistoryMinutes?: number;
  /** Late corrections/cancel errors per minute across all symbols (default 1). */
  correctionsPerMinute?: number;
  /** A socket whose unsent backlog stays over this (default 16 MiB)... gets 407 and is closed. */
  slowClientBytes?: number;
  /** ...for this long in real time (default 2 s): a reader that keeps up drains well within it. */
  slowClientGraceMs?: number;
  /** Keep a ledger of every trade delivered, for `control.deliveredTrades()` (default false). */
  recordTrades?: boolean;
}

export interface SimulatorControl {
  setFault(spec: FaultSpec): void;
  clearFaults(target?: FaultSpec["target"]): void;
  faults(): FaultSpec[];
  counters(): SimulatorCounters;
  /** Manual clock only: move simulated time forward, emitting everything due. */
  advance(ms: number): void;
  now(): number;
  setTradesPerSecond(rate: number): void;
  /**
   * The simulated session: open (the default) or closed (no trades; the clock says closed). A close
   * is announced `announceMs` ahead (default 2 s): until then the session trades and the clock's
   * `next_close` names the moment, as Alpaca's clock names 16:00 all day. 0 closes at once, a shape
   * Alpaca does not show (unscheduled closures are announced days ahead).
   */
  setMarketOpen(open: boolean, announceMs?: number): void;
  isMarketOpen(): boolean;
  /**
   * `SYMBOL:id` of every trade the stream delivered to a client, or only those sent at or before
   * `untilMs` (wall clock). Needs `recordTrades: true`.
   */
  deliveredTrades(untilMs?: number): string[];
}

export interface RunningSimulator {
  /** http://host:port */
  url: string;
  /** ws://host:port — the Alpaca stream base (append /v2/iex etc.). */
  alpacaStreamUrl: string;
  /** Alpaca data REST base (same server). */
  alpacaDataUrl: string;
  /** Alpaca trading API base for the clock and calendar (same server). */
  alpacaTradingUrl: string;
  /** Yahoo base (same server). */
  yahooBaseUrl: string;
  control: SimulatorControl;
  close(): Promise<void>;
}
