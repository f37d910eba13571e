import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Ports far from the dev defaults (5002/5010/3000) so the suite never talks to, or collides with,
 * a developer's `npm start`. E2E_PORT_BASE moves the whole block (two checkouts running the suite
 * side by side on one machine each give their own).
 */
const PORT_BASE = Number(process.env.E2E_PORT_BASE ?? 5500);
export const SIM_PORT = PORT_BASE + 10;
export const SERVER_PORT = PORT_BASE + 2;
/**
 * The browser reaches the realtime hub through a TCP proxy (support/hub-proxy.ts), so a spec can
 * drop or refuse its connections from outside the page — the live feed runs in a worker, where
 * Playwright's WebSocket routing does not reach. Its control API listens on the next port.
 */
export const HUB_PROXY_PORT = PORT_BASE + 3;
export const HUB_PROXY_CONTROL_URL = `http://127.0.0.1:${PORT_BASE + 4}`;
export const WEB_PORT = PORT_BASE + 30;
/** A second `next start` of the same build with NEXT_PUBLIC_TORGHUT_VISUALS_ENABLED=false. */
export const WEB_VISUALS_OFF_PORT = PORT_BASE + 31;

/** The same build signing people in with OpenID Connect against the provider below. */
export const WEB_OIDC_PORT = PORT_BASE + 32;
/** The same build behind an authenticating proxy (trusts X-Forwarded-User from 127.0.0.1 only). */
export const WEB_PROXY_PORT = PORT_BASE + 33;
/** The OpenID provider (oidc-provider) for the sign-in specs. */
export const OIDC_PORT = PORT_BASE + 40;

export const SIM_URL = `http://127.0.0.1:${SIM_PORT}`;
export const SERVER_URL = `http://127.0.0.1:${SERVER_PORT}`;
export const WEB_URL = `http://127.0.0.1:${WEB_PORT}`;
export const WEB_VISUALS_OFF_URL = `http://127.0.0.1:${WEB_VISUALS_OFF_PORT}`;
export const WEB_OIDC_URL = `http://localhost:${WEB_OIDC_PORT}`;
export const WEB_PROXY_PORT_URL = `http://127.0.0.1:${WEB_PROXY_PORT}`;
export const OIDC_URL = `http://localhost:${OIDC_PORT}`;
export const OIDC_CLIENT_ID = "torghut-web";
export const OIDC_CLIENT_SECRET = "e2e-client-secret-0123456789abcdef";
/** The OIDC web app's AUTH_SESSION_SECRET: the expired-session spec seals a cookie with it. */
export const SESSION_SECRET = "e2e-session-secret-0123456789abcdef0123";

/** Shared with the server and the web app so the suite can mint its own admin token. */
export const TEST_AUTH_SECRET = "torghut-e2e-secret-0123456789abcdef0123456789";

/** Traded by the simulator and configured in the server. */
export const SYMBOLS_WITH_DATA = ["AAPL", "MSFT", "NVDA", "TSLA"];
/** Configured in the server but not traded by the simulator: no bars, no ticks, ever. */
export const NO_DATA_SYMBOL = "ZZZT";

export const LAG_THRESHOLD_MS = 5_000;

/** The wrapper (run-e2e.mjs) makes a fresh one per run; the fallback is wiped by the server command. */
export const DATA_DIR = process.env.E2E_DATA_DIR ?? join(tmpdir(), "torghut-e2e-data");

/**
 * Chromium for the suite and for `npm run bench -- ui`: the system's browser (CHROMIUM_PATH to
 * override), headless in a container (no sandbox, GPU or /dev/shm) and quiet (no background traffic).
 */
export const CHROMIUM_LAUNCH: { executablePath: string; args: string[] } = {
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
};
