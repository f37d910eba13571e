import { defineConfig } from "@playwright/test";
import { resolve } from "node:path";
import {
  CHROMIUM_LAUNCH,
  DATA_DIR,
  HUB_PROXY_CONTROL_URL,
  HUB_PROXY_PORT,
  LAG_THRESHOLD_MS,
  NO_DATA_SYMBOL,
  SERVER_PORT,
  SERVER_URL,
  SIM_PORT,
  SIM_URL,
  SYMBOLS_WITH_DATA,
  TEST_AUTH_SECRET,
  WEB_PORT,
  WEB_URL,
  WEB_VISUALS_OFF_PORT,
  WEB_VISUALS_OFF_URL,
  OIDC_CLIENT_ID,
  OIDC_CLIENT_SECRET,
  OIDC_URL,
  SESSION_SECRET,
  WEB_OIDC_PORT,
  WEB_OIDC_URL,
  WEB_PROXY_PORT,
  WEB_PROXY_PORT_URL,
} from "./support/env";

const root = resolve(import.meta.dirname, "..");

export default defineConfig({
  testDir: "specs",
  // One browser, one server set: the failover and ops specs change the router's state.
  workers: 1,
  fullyParallel: false,
  forbidOnly: true,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  outputDir: "test-results/artifacts",
  reporter: [["list"]],
  use: {
    baseURL: WEB_URL,
    screenshot: "on",
    trace: "retain-on-failure",
    viewport: { width: 1280, height: 900 },
    deviceScaleFactor: 1,
    launchOptions: CHROMIUM_LAUNCH,
  },
  webServer: [
    {
      name: "simulator",
      command: `node --import tsx apps/market-sim/src/cli.ts --port ${SIM_PORT} --rate 80`,
      cwd: root,
      url: `${SIM_URL}/control/counters`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: "ignore",
      stderr: "pipe",
    },
    {
      name: "server",
      // The server's stderr goes to a file among the artifacts: the Yahoo client is chatty there.
      command: `rm -rf "${DATA_DIR}/pglite" && mkdir -p e2e/test-results && node --import tsx apps/server/src/main.ts 2> e2e/test-results/server.stderr.log`,
      cwd: root,
      url: `${SERVER_URL}/healthz`,
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: "ignore",
      stderr: "pipe",
      env: {
        PORT: String(SERVER_PORT),
        HOST: "127.0.0.1",
        LOG_LEVEL: "warn",
        DATABASE_URL: "",
        DATA_DIR: `${DATA_DIR}/pglite`,
        SYMBOLS: [...SYMBOLS_WITH_DATA, NO_DATA_SYMBOL].join(","),
        ALPACA_KEY_ID: "sim-key",
        ALPACA_SECRET_KEY: "sim-secret",
        ALPACA_STREAM_URL: `ws://127.0.0.1:${SIM_PORT}`,
        ALPACA_DATA_URL: SIM_URL,
        ALPACA_TRADING_URL: SIM_URL,
        YAHOO_BASE_URL: SIM_URL,
        WS_AUTH_SECRET: TEST_AUTH_SECRET,
        // The web apps call the API for the browser and name its address in X-Forwarded-For.
        TRUSTED_PROXIES: "loopback",
        SIMULATED_MARKET: "true",
        MESSAGE_TIMEOUT_SECONDS: "2",
        FALLBACK_ACTIVATION_DELAY_SECONDS: "1",
        PRIMARY_RECOVERY_GRACE_PERIOD_SECONDS: "1",
        YAHOO_POLL_INTERVAL_SECONDS: "1",
        MARKET_CLOCK_REFRESH_SECONDS: "1",
        SYMBOL_STALE_MIN_SECONDS: "3",
        RECONNECT_BASE_DELAY_MS: "200",
        RECONNECT_MAX_DELAY_MS: "1000",
        STARTUP_BACKFILL_MINUTES: "390",
      },
    },
    {
      name: "hub proxy",
      command: "node --import tsx e2e/support/hub-proxy.ts",
      cwd: root,
      url: `${HUB_PROXY_CONTROL_URL}/connections`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: "ignore",
      stderr: "pipe",
    },
    {
      name: "identity provider",
      command: "node --import tsx e2e/support/oidc-provider.ts",
      cwd: root,
      url: `${OIDC_URL}/.well-known/openid-configuration`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: "ignore",
      stderr: "pipe",
    },
    // As `npm start` runs it: no identity provider, everyone a development operator (with a banner).
    webStart("web", WEB_PORT, WEB_URL, {
      AUTH_DEV_OPERATOR: "true",
      // The browser's hub connections pass the proxy the live-feed specs drop and refuse.
      NEXT_PUBLIC_TORGHUT_WS_ORIGIN: `http://127.0.0.1:${HUB_PROXY_PORT}`,
      TORGHUT_LAG_THRESHOLD_MS: String(LAG_THRESHOLD_MS),
      TORGHUT_STALE_AFTER_SECONDS: "10",
      NEXT_PUBLIC_TORGHUT_VISUALS_ENABLED: "true",
    }),
    // The same build with the visuals turned off: the flag is read when a request arrives.
    webStart("web (visuals off)", WEB_VISUALS_OFF_PORT, WEB_VISUALS_OFF_URL, {
      AUTH_DEV_OPERATOR: "true",
      NEXT_PUBLIC_TORGHUT_VISUALS_ENABLED: "false",
    }),
    // The same build signing people in with OpenID Connect (roles from the `roles` claim).
    webStart(
      "web (OIDC)",
      WEB_OIDC_PORT,
      WEB_OIDC_URL,
      {
        AUTH_OIDC_ISSUER: OIDC_URL,
        AUTH_OIDC_CLIENT_ID: OIDC_CLIENT_ID,
        AUTH_OIDC_CLIENT_SECRET: OIDC_CLIENT_SECRET,
        AUTH_OIDC_SCOPES: "openid profile email roles",
        AUTH_URL: WEB_OIDC_URL,
        AUTH_SESSION_SECRET: SESSION_SECRET,
      },
      "/sign-in",
    ),
    // The same build behind an authenticating proxy that only 127.0.0.1 may be (it listens on IPv6 too).
    webStart(
      "web (proxy)",
      WEB_PROXY_PORT,
      WEB_PROXY_PORT_URL,
      { AUTH_TRUSTED_PROXIES: "127.0.0.1" },
      "/sign-in",
      "::",
    ),
  ],
});

/**
 * The one build of apps/web as production runs it (the standalone build's server.mjs, as `npm start`
 * and the web image run it), against the test server, with extra settings.
 */
function webStart(
  name: string,
  port: number,
  url: string,
  env: Record<string, string>,
  ready = "/ops",
  hostname = "127.0.0.1",
) {
  return {
    name,
    command: `node .next/standalone/apps/web/server.mjs --port ${port} --hostname ${hostname}`,
    cwd: resolve(root, "apps/web"),
    url: `${url}${ready}`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "ignore" as const,
    stderr: "pipe" as const,
    env: {
      PORT: String(port),
      HOSTNAME: "127.0.0.1",
      TORGHUT_API_URL: SERVER_URL,
      WS_AUTH_SECRET: TEST_AUTH_SECRET,
      NEXT_TELEMETRY_DISABLED: "1",
      ...env,
    },
  };
}
