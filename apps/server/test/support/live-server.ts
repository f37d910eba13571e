import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSimulator, type RunningSimulator, type SimulatorOptions } from "@torghut/market-sim";
import { createTorghut, type Torghut } from "../../src/app";
import { loadConfig, type ServerConfig } from "../../src/config";
import { createLogger, type Logger } from "../../src/logger";
import { HUB_AUDIENCE, OPS_AUDIENCE, signToken } from "../../src/realtime/auth";
import { spawnReplica, type ReplicaProcess } from "../scale/replica-process";

export const TEST_SECRET = "test-secret-for-ops-and-realtime-0123456789";
export const TEST_SYMBOLS = ["AAPL", "MSFT", "TSLA", "NVDA"];

export interface LiveServer {
  sim: RunningSimulator;
  torghut: Torghut;
  config: ServerConfig;
  url: string;
  /** A hub token, or an ops token with `admin`. */
  token(sub: string, options?: { admin?: boolean; ttl?: string }): Promise<string>;
  close(): Promise<void>;
}

/**
 * Server settings that point every upstream at the simulator, with short failover timings so that
 * failover and recovery happen within a test's time. Shared by in-process and spawned servers.
 */
export function simulatorEnv(sim: RunningSimulator): Record<string, string> {
  return {
    ALPACA_KEY_ID: "sim-key",
    ALPACA_SECRET_KEY: "sim-secret",
    ALPACA_STREAM_URL: sim.alpacaStreamUrl,
    ALPACA_DATA_URL: sim.alpacaDataUrl,
    ALPACA_TRADING_URL: sim.alpacaTradingUrl,
    MARKET_CLOCK_REFRESH_SECONDS: "0.5",
    YAHOO_STANDBY_PROBE_SECONDS: "1",
    YAHOO_BASE_URL: sim.yahooBaseUrl,
    YAHOO_POLL_INTERVAL_SECONDS: "0.5",
    MESSAGE_TIMEOUT_SECONDS: "1",
    FALLBACK_ACTIVATION_DELAY_SECONDS: "0.2",
    PRIMARY_RECOVERY_GRACE_PERIOD_SECONDS: "0.3",
    RECONNECT_BASE_DELAY_MS: "50",
    RECONNECT_MAX_DELAY_MS: "500",
  };
}

/** A live server's settings on `sim`: port 0, the test symbols, the test secret, a DATA_DIR of its own. */
function liveServerEnv(sim: RunningSimulator, dataDir: string): Record<string, string> {
  return {
    PORT: "0",
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    SYMBOLS: TEST_SYMBOLS.join(","),
    ...simulatorEnv(sim),
    WS_AUTH_SECRET: TEST_SECRET,
    SIMULATED_MARKET: "true",
  };
}

/** The live servers' simulator: the test symbols at 200 trades/s, a dropped session reaped in 300 ms. */
function startTestSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  return startSimulator({
    port: 0,
    seed: 11,
    symbols: TEST_SYMBOLS,
    tradesPerSecond: 200,
    staleSessionMs: 300,
    ...options,
  });
}

/**
 * The whole server, in process, on port 0, against the real simulator on port 0, with PGlite in
 * memory-like isolation (a fresh DATA_DIR) — or PostgreSQL when `databaseUrl` is given. Short
 * settings so that failover and recovery happen within a test's time.
 */
export async function startLiveServer(
  env: Record<string, string> = {},
  simOptions: SimulatorOptions = {},
  logger: Logger = createLogger("silent"),
): Promise<LiveServer> {
  const sim = await startTestSimulator(simOptions);
  const dataDir = mkdtempSync(join(tmpdir(), "torghut-live-"));
  const config = loadConfig({ ...liveServerEnv(sim, dataDir), LOG_LEVEL: "silent", ...env });
  const torghut = await createTorghut(config, { logger });
  await torghut.start();
  return {
    sim,
    torghut,
    config,
    url: torghut.url(),
    token: (sub, options = {}) =>
      // An admin gets an ops token (what `npm run token -- <sub> --admin` mints); anyone else a hub token.
      signToken({
        secret: TEST_SECRET,
        sub,
        admin: options.admin ?? false,
        audience: options.admin === true ? OPS_AUDIENCE : HUB_AUDIENCE,
        ttl: options.ttl ?? "10m",
      }),
    async close() {
      await torghut.stop();
      await sim.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A server as its own process (what a pod runs) on a simulator of its own. */
export interface SpawnedServer {
  sim: RunningSimulator;
  replica: ReplicaProcess;
  url: string;
  close(): Promise<void>;
}

/**
 * `startLiveServer`'s settings, but `main.ts` in a process of its own: its metrics are its own. Two
 * servers in one process share prom-client's registry, so one's gauge (the database it reaches, the
 * bus it is on) would answer for the other's.
 */
export async function spawnLiveServer(env: Record<string, string> = {}): Promise<SpawnedServer> {
  const sim = await startTestSimulator();
  const dataDir = mkdtempSync(join(tmpdir(), "torghut-live-"));
  try {
    const replica = await spawnReplica({ ...liveServerEnv(sim, dataDir), ...env }, 120_000);
    return {
      sim,
      replica,
      url: replica.url,
      async close() {
        await replica.kill("SIGTERM");
        await sim.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await sim.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

export async function getJson(url: string, init?: RequestInit): Promise<{ status: number; body: any }> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, body: text.length > 0 ? JSON.parse(text) : null };
}
