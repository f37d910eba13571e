import type { RunningSimulator } from "@torghut/market-sim";
import { spawn, type ChildProcess } from "node:child_process";
import { freePort, start, waitFor } from "./processes";

export interface UiStackOptions {
  sim: RunningSimulator;
  symbols: readonly string[];
  dataDir: string;
  /** A PostgreSQL database: ingest then runs on its worker thread (PGlite keeps it on the main loop). */
  databaseUrl?: string;
  secret: string;
  /** The compiled web launcher (apps/web/server.mjs in the standalone build) and its folder. */
  webServer: string;
  webDir: string;
  /** Every process started is pushed here as soon as it exists, so the caller's cleanup stops it. */
  children: ChildProcess[];
  /** More environment for the web app (the isolated watchlist points its hub elsewhere). */
  webEnv?: Record<string, string>;
}

/**
 * The server on PGlite (or PostgreSQL) against the simulator, and the web app as `npm start` runs it (signed in as
 * the development operator); resolves with both base URLs once both answer.
 */
export async function startUiStack(options: UiStackOptions): Promise<{ base: string; apiUrl: string }> {
  const { sim, secret } = options;
  const [serverPort, webPort] = [await freePort(), await freePort()];
  const server = start(
    "apps/server/src/main.ts",
    [],
    {
      PORT: String(serverPort),
      HOST: "127.0.0.1",
      LOG_LEVEL: "error",
      DATABASE_URL: options.databaseUrl ?? "",
      DATA_DIR: options.dataDir,
      SYMBOLS: options.symbols.join(","),
      ALPACA_KEY_ID: "sim-key",
      ALPACA_SECRET_KEY: "sim-secret",
      // SIP: the IEX feed takes 30 symbols per connection (as Alpaca's free plan), and the watchlist
      // bench streams 500; with IEX the simulator refused them all and the page sat idle.
      ALPACA_FEED: "sip",
      ALPACA_STREAM_URL: sim.alpacaStreamUrl,
      ALPACA_DATA_URL: sim.alpacaDataUrl,
      ALPACA_TRADING_URL: sim.alpacaTradingUrl,
      YAHOO_BASE_URL: sim.yahooBaseUrl,
      WS_AUTH_SECRET: secret,
      STARTUP_BACKFILL_MINUTES: "0",
    },
    "ignore",
  );
  options.children.push(server);
  await waitFor(`http://127.0.0.1:${serverPort}/healthz`, server, "server");
  const web = spawn(
    process.execPath,
    [options.webServer, "--port", String(webPort), "--hostname", "127.0.0.1"],
    {
      cwd: options.webDir,
      stdio: "ignore",
      env: {
        ...process.env,
        TORGHUT_API_URL: `http://127.0.0.1:${serverPort}`,
        WS_AUTH_SECRET: secret,
        AUTH_DEV_OPERATOR: "true",
        NEXT_TELEMETRY_DISABLED: "1",
        ...options.webEnv,
      },
    },
  );
  options.children.push(web);
  const base = `http://127.0.0.1:${webPort}`;
  await waitFor(`${base}/ops`, web, "web app");
  return { base, apiUrl: `http://127.0.0.1:${serverPort}` };
}
