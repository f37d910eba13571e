#!/usr/bin/env node
// `npm start`: runs the whole product on embedded defaults and prints where to open it.
// Without Alpaca keys it first starts the built-in market simulator and points the server at it.
// Every process runs compiled output, as in production: the server and the simulator are bundled
// (under a second, every start), the web app is built when its build is missing or stale.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { bundleNodeApp } from "./bundle.mjs";
import { attachLogOutput } from "./log-output.mjs";
import { ensureWebBuild, WEB_SERVER } from "./web-build.mjs";

const env = { ...process.env, TURBO_TELEMETRY_DISABLED: "1", NEXT_TELEMETRY_DISABLED: "1" };
const serverPort = Number(env.PORT ?? 5002);
const simPort = Number(env.SIM_PORT ?? 5010);
const simulated = !env.ALPACA_KEY_ID && !env.ALPACA_CREDENTIALS_FILE;
const children = [];

// Client and ops tokens are signed with WS_AUTH_SECRET. Without one, keep a local secret next to the
// embedded database so tokens minted with `npm run token` keep working across restarts.
if (!env.WS_AUTH_SECRET) {
  const dataDir = env.DATA_DIR ?? "./data";
  const file = join(dataDir, "dev-auth-secret");
  mkdirSync(dataDir, { recursive: true });
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString("hex"), { mode: 0o600 });
  env.WS_AUTH_SECRET = readFileSync(file, "utf8").trim();
  console.log(`[torghut] WS_AUTH_SECRET not set: using the local secret in ${file}`);
}

const webPort = Number(env.WEB_PORT ?? 3000);

// Sign-in: with no identity provider or authenticating proxy configured, everyone who opens the web
// app is a development operator (every page says so) — never with NODE_ENV=production, where the web
// app refuses to start instead.
const signInConfigured = Boolean(env.AUTH_OIDC_ISSUER || env.AUTH_TRUSTED_PROXIES);
if (!signInConfigured && env.NODE_ENV !== "production") {
  env.AUTH_DEV_OPERATOR ??= "true";
  console.log("[torghut] no identity provider configured: you are signed in as a development operator");
}
// The web app calls the API for the browser and names the browser's address in X-Forwarded-For.
env.TRUSTED_PROXIES ??= "loopback";

/** Runs `node args…`; pino output (server, simulator) is prettified when a person watches a terminal. */
function run(name, args, childEnv, { pino = true } = {}) {
  const child = spawn(process.execPath, args, {
    env: childEnv,
    stdio: ["inherit", pino ? "pipe" : "inherit", "inherit"],
  });
  if (pino) attachLogOutput(child);
  child.on("exit", (code, signal) => {
    if (!stopping) {
      console.error(`[torghut] ${name} exited (${signal ?? code}); stopping everything`);
      void stop(code ?? 1);
    }
  });
  children.push(child);
  return child;
}

async function waitFor(url, label, child) {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${label} exited before it was ready`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await delay(200);
  }
  throw new Error(`${label} was not ready at ${url} within 120 s`);
}

let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children.reverse()) if (child.exitCode === null) child.kill("SIGTERM");
  await Promise.all(
    children.map((c) => (c.exitCode === null ? new Promise((r) => c.once("exit", r)) : null)),
  );
  process.exit(code);
}
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));

try {
  await bundleNodeApp("server");
  if (simulated) {
    await bundleNodeApp("market-sim");
    console.log(`[torghut] no ALPACA_KEY_ID set: starting the built-in simulated market on :${simPort}`);
    const sim = run("market simulator", ["apps/market-sim/dist/cli.js", "--port", String(simPort)], env);
    await waitFor(`http://127.0.0.1:${simPort}/control/counters`, "market simulator", sim);
    Object.assign(env, {
      ALPACA_STREAM_URL: `ws://127.0.0.1:${simPort}`,
      ALPACA_DATA_URL: `http://127.0.0.1:${simPort}`,
      ALPACA_TRADING_URL: `http://127.0.0.1:${simPort}`,
      YAHOO_BASE_URL: `http://127.0.0.1:${simPort}`,
      ALPACA_KEY_ID: "sim-key",
      ALPACA_SECRET_KEY: "sim-secret",
      SIMULATED_MARKET: "true",
    });
  }
  const server = run("server", ["apps/server/dist/main.js"], env);
  await waitFor(`http://127.0.0.1:${serverPort}/healthz`, "server", server);
  // The web app runs from its production build (fast to start, light on the CPU).
  ensureWebBuild({ log: "[torghut]", env });
  const web = run(
    "web app",
    [WEB_SERVER, "--port", String(webPort), "--hostname", "0.0.0.0"],
    {
      ...env,
      TORGHUT_API_URL: `http://127.0.0.1:${serverPort}`,
    },
    { pino: false },
  );
  await waitFor(`http://127.0.0.1:${webPort}/ops`, "web app", web);
  console.log("");
  console.log(`[torghut] ready${simulated ? " (simulated market)" : ""}`);
  console.log(
    `[torghut]   open this      http://localhost:${webPort}/   (visuals: /torghut/visuals, ops: /ops)`,
  );
  console.log(`[torghut]   API + health   http://localhost:${serverPort}/api/health/stocks`);
  console.log(`[torghut]   metrics        http://localhost:${serverPort}/metrics`);
  console.log(`[torghut]   WebSocket      ws://localhost:${serverPort}/ws`);
  if (simulated) console.log(`[torghut]   simulator      http://localhost:${simPort}/control/faults`);
  console.log(
    `[torghut]   ops token      WS_AUTH_SECRET=$(cat ${env.DATA_DIR ?? "./data"}/dev-auth-secret) npm run token -- you --admin`,
  );
  console.log("");
} catch (error) {
  console.error(`[torghut] start failed: ${error instanceof Error ? error.message : String(error)}`);
  await stop(1);
}
