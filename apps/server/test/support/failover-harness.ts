import { startSimulator, type RunningSimulator } from "@torghut/market-sim";
import { pino } from "pino";
import { systemClock } from "../../src/clock";
import { AlpacaStreamSource, staticCredentials } from "../../src/sources/alpaca";
import type { SourceEvent } from "../../src/sources/source";
import { YahooClient } from "../../src/sources/yahoo/client";
import { YahooSource } from "../../src/sources/yahoo/poller";
import type { RouterSettings } from "../../src/router/ports";
import { DataSourceRouter } from "../../src/router/router";
import type { PrimaryGap, RouterStatusEvent } from "../../src/router/snapshot";

/**
 * Real wiring for integration tests and the failover benchmark: the simulator as upstream, the real
 * Alpaca stream client and Yahoo poller, and the router between them with short, configured durations.
 */
export const HARNESS_SYMBOLS = ["AAPL", "MSFT", "TSLA", "NVDA"];

export const FAST_SETTINGS: RouterSettings = {
  primaryEnabled: true,
  maxConsecutiveFailures: 3,
  messageTimeoutMs: 600,
  fallbackActivationDelayMs: 400,
  primaryRecoveryGraceMs: 600,
};

export interface FailoverHarness {
  sim: RunningSimulator;
  alpaca: AlpacaStreamSource;
  yahoo: YahooSource;
  yahooClient: YahooClient;
  router: DataSourceRouter;
  /** Everything the router forwarded, with the wall time it arrived. */
  fed: { at: number; event: SourceEvent }[];
  statuses: { at: number; status: RouterStatusEvent }[];
  gaps: PrimaryGap[];
  /** Wall times of the Alpaca adapter's `up` events (port-level observation). */
  alpacaUps: number[];
  close(): Promise<void>;
}

export interface HarnessOptions {
  settings?: Partial<RouterSettings>;
  sim?: RunningSimulator;
  yahooPollIntervalMs?: number;
  logLevel?: string;
}

export async function startFailoverHarness(options: HarnessOptions = {}): Promise<FailoverHarness> {
  const ownSim = options.sim === undefined;
  const sim =
    options.sim ??
    (await startSimulator({
      port: 0,
      seed: 3,
      symbols: HARNESS_SYMBOLS,
      tradesPerSecond: 200,
      staleSessionMs: 300,
    }));
  const logger = pino({ level: options.logLevel ?? "silent" });
  const alpaca = new AlpacaStreamSource({
    streamUrl: sim.alpacaStreamUrl,
    feed: "iex",
    credentials: staticCredentials({ keyId: "sim-key", secretKey: "sim-secret" }),
    symbols: HARNESS_SYMBOLS,
    // The router's watchdog is under test, not the client's.
    messageTimeoutMs: 0,
    reconnectBaseDelayMs: 20,
    reconnectMaxDelayMs: 150,
    connectionLimitDelayMs: 150,
    handshakeTimeoutMs: 2_000,
    logger,
  });
  const yahooClient = new YahooClient({ baseUrl: sim.yahooBaseUrl, logger });
  const yahoo = new YahooSource({
    client: yahooClient,
    clock: systemClock,
    logger,
    symbols: HARNESS_SYMBOLS,
    pollIntervalMs: options.yahooPollIntervalMs ?? 300,
    backoffBaseMs: 100,
    backoffMaxMs: 1_000,
    startActive: false,
  });
  const fed: FailoverHarness["fed"] = [];
  const statuses: FailoverHarness["statuses"] = [];
  const gaps: PrimaryGap[] = [];
  const alpacaUps: number[] = [];
  alpaca.onEvent((e) => {
    if (e.type === "up") alpacaUps.push(Date.now());
  });
  const router = new DataSourceRouter({
    primary: alpaca,
    fallback: yahoo,
    sink: (event) => fed.push({ at: Date.now(), event }),
    clock: systemClock,
    logger,
    settings: { ...FAST_SETTINGS, ...options.settings },
  });
  router.onStatus((status) => statuses.push({ at: Date.now(), status }));
  router.onGap((gap) => gaps.push(gap));
  await router.start();
  return {
    sim,
    alpaca,
    yahoo,
    yahooClient,
    router,
    fed,
    statuses,
    gaps,
    alpacaUps,
    close: async () => {
      await router.stop();
      if (ownSim) await sim.close();
    },
  };
}

export function sourceOf(entry: { event: SourceEvent }): string | null {
  return entry.event.type === "trade" ? entry.event.trade.source : null;
}

/** Wall time of the first status event matching `predicate` at or after `since`. */
export function statusAt(
  h: FailoverHarness,
  since: number,
  predicate: (s: RouterStatusEvent) => boolean,
): number | null {
  return h.statuses.find((s) => s.at >= since && predicate(s.status))?.at ?? null;
}
