import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSimulator, type RunningSimulator } from "@torghut/market-sim";
import { signToken } from "../../src/realtime/auth";
import { getJson } from "../support/live-server";
import { spawnReplica, type ReplicaProcess } from "../scale/replica-process";
import { FaultProxy } from "./fault-proxy";

export const CHAOS_SYMBOLS = ["AAPL", "MSFT", "TSLA", "NVDA"];
/** Shared with the web app the full run starts, so that its viewer tokens verify. */
export const CHAOS_AUTH_SECRET = "chaos-suite-secret-0123456789abcdef012345";
const SECRET = CHAOS_AUTH_SECRET;

/** Small failover settings so that every fault plays out in seconds (the goal scales with them). */
export const CHAOS_SETTINGS = {
  MESSAGE_TIMEOUT_SECONDS: 2,
  FALLBACK_ACTIVATION_DELAY_SECONDS: 1,
  PRIMARY_RECOVERY_GRACE_PERIOD_SECONDS: 1,
};

/** The detection budget of issue #14: MESSAGE_TIMEOUT_SECONDS + FALLBACK_ACTIVATION_DELAY_SECONDS + 1 s. */
export const DETECTION_BUDGET_MS =
  (CHAOS_SETTINGS.MESSAGE_TIMEOUT_SECONDS + CHAOS_SETTINGS.FALLBACK_ACTIVATION_DELAY_SECONDS + 1) * 1000;

/**
 * The real server as its own process, the simulator as Alpaca (stream, REST, trading clock) and
 * Yahoo, and a fault proxy in front of the stream. Everything on 127.0.0.1 and port 0.
 */
export interface ChaosStack {
  sim: RunningSimulator;
  streamProxy: FaultProxy;
  server: ReplicaProcess;
  url: string;
  stocks(): Promise<StocksBody>;
  /** POST /api/health/alpaca/reconnect as an admin would (after fixing the keys). */
  reconnect(): Promise<void>;
  close(): Promise<void>;
}

export interface SymbolRow {
  symbol: string;
  lastReceivedAt: string | null;
  source: string | null;
  stale: boolean;
  staleReason: string | null;
}

export interface StocksBody {
  connectionState: string;
  currentDataSource: string;
  presentation: "live" | "delayed" | "stale" | "market-closed";
  market: { open: boolean } | null;
  symbols: SymbolRow[];
  yahoo: { healthy: boolean; lastError: string | null };
  alpaca: { lastError: string | null };
}

export async function startChaosStack(extraEnv: Record<string, string> = {}): Promise<ChaosStack> {
  const sim = await startSimulator({
    port: 0,
    seed: 14,
    symbols: CHAOS_SYMBOLS,
    tradesPerSecond: 200,
    // A dropped session lingers this long at "Alpaca" (really ~90 s): the client waits it out.
    staleSessionMs: 1_000,
  });
  const streamProxy = new FaultProxy("127.0.0.1", Number(new URL(sim.url).port));
  await streamProxy.start();
  const dataDir = mkdtempSync(join(tmpdir(), "torghut-chaos-"));
  const cleanUp = async () => {
    await streamProxy.close();
    await sim.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
  const server = await spawnReplica(
    {
      PORT: "0",
      HOST: "127.0.0.1",
      // info: the replica harness waits for the "listening" line.
      LOG_LEVEL: "info",
      DATA_DIR: dataDir,
      SYMBOLS: CHAOS_SYMBOLS.join(","),
      ALPACA_KEY_ID: "sim-key",
      ALPACA_SECRET_KEY: "sim-secret",
      ALPACA_STREAM_URL: `ws://127.0.0.1:${streamProxy.port}`,
      ALPACA_DATA_URL: sim.alpacaDataUrl,
      ALPACA_TRADING_URL: sim.alpacaTradingUrl,
      YAHOO_BASE_URL: sim.yahooBaseUrl,
      WS_AUTH_SECRET: SECRET,
      SIMULATED_MARKET: "true",
      STARTUP_BACKFILL_MINUTES: "0",
      MESSAGE_TIMEOUT_SECONDS: String(CHAOS_SETTINGS.MESSAGE_TIMEOUT_SECONDS),
      FALLBACK_ACTIVATION_DELAY_SECONDS: String(CHAOS_SETTINGS.FALLBACK_ACTIVATION_DELAY_SECONDS),
      PRIMARY_RECOVERY_GRACE_PERIOD_SECONDS: String(CHAOS_SETTINGS.PRIMARY_RECOVERY_GRACE_PERIOD_SECONDS),
      YAHOO_POLL_INTERVAL_SECONDS: "0.5",
      YAHOO_REQUEST_TIMEOUT_SECONDS: "1",
      YAHOO_STANDBY_PROBE_SECONDS: "1",
      RECONNECT_BASE_DELAY_MS: "100",
      RECONNECT_MAX_DELAY_MS: "1000",
      ALPACA_CONNECTION_LIMIT_DELAY_MS: "1200",
      MARKET_CLOCK_REFRESH_SECONDS: "0.5",
      SYMBOL_STALE_MIN_SECONDS: "1",
      ...extraEnv,
      // PGlite's first start in a fresh process is slow on a busy 2-core box.
    },
    120_000,
  ).catch(async (error: unknown) => {
    await cleanUp();
    throw error;
  });
  const url = server.url;
  return {
    sim,
    streamProxy,
    server,
    url,
    stocks: async () => (await getJson(`${url}/api/health/stocks`)).body as StocksBody,
    async reconnect() {
      const token = await signToken({ secret: SECRET, sub: "chaos-operator", admin: true, ttl: "5m" });
      const res = await fetch(`${url}/api/health/alpaca/reconnect`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
      });
      if (res.status !== 200) throw new Error(`reconnect answered ${res.status}: ${await res.text()}`);
    },
    async close() {
      await server.kill("SIGTERM");
      await cleanUp();
    },
  };
}
