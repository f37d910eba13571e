import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser } from "@playwright/test";
import { CHROMIUM_LAUNCH } from "../../../../e2e/support/env";
import { exited, freePort, ROOT, waitFor } from "../../../../bench/lib/processes";
import type { Expectation } from "./scenarios";

/**
 * Chromium on the watchlist, once per fault (`npm run chaos`): the page a trader looks at must say
 * what the API says — no LIVE prices once the primary is gone, MARKET CLOSED, a STALE row.
 */
export interface WatchlistCheck {
  check(expect: Expectation): Promise<string | null>;
  close(): Promise<void>;
}

export async function startWatchlistCheck(serverUrl: string, authSecret: string): Promise<WatchlistCheck> {
  const api = async () =>
    (await (await fetch(`${serverUrl}/api/health/stocks`)).json()) as { presentation: string };
  // scripts/web-build.mjs is plain JavaScript (`npm start` runs it on bare Node): typed here.
  const { ensureWebBuild } = (await import(pathToFileURL(join(ROOT, "scripts/web-build.mjs")).href)) as {
    ensureWebBuild: (options?: { log?: string }) => boolean;
  };
  ensureWebBuild({ log: "[chaos]" });
  const port = await freePort();
  const web: ChildProcess = spawn(
    process.execPath,
    [
      join(ROOT, "node_modules/next/dist/bin/next"),
      "start",
      "--port",
      String(port),
      "--hostname",
      "127.0.0.1",
    ],
    {
      cwd: join(ROOT, "apps/web"),
      stdio: "ignore",
      env: {
        ...process.env,
        TORGHUT_API_URL: serverUrl,
        WS_AUTH_SECRET: authSecret,
        NEXT_TELEMETRY_DISABLED: "1",
      },
    },
  );
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${base}/ops`, web, "web");
  const browser: Browser = await chromium.launch(CHROMIUM_LAUNCH);
  return {
    async check(expect) {
      const page = await browser.newPage();
      try {
        await page.goto(base);
        const state = page.getByTestId("source-state");
        const timeout = 10_000;
        if (expect === "market-closed") {
          await page.getByTestId("market-closed-banner").waitFor({ timeout });
        } else if (expect === "symbol-stale") {
          await page.getByTestId("row-stale-badge-TSLA").waitFor({ timeout });
        } else {
          await state.waitFor({ timeout });
          // The page polls every 2 s: what it shows must match what the API said at most that long ago.
          for (let look = 0; look < 20; look++) {
            const shown = await state.getAttribute("data-presentation");
            if (shown !== "live") return null;
            if ((await api()).presentation === "live") return null; // the fault ended meanwhile (flapping)
            await page.waitForTimeout(250); // the sampling period, not a wait for a condition
          }
          return "the watchlist still says live while the API does not";
        }
        return null;
      } catch (error) {
        return `watchlist: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`;
      } finally {
        await page.close();
      }
    },
    async close() {
      await browser.close();
      web.kill("SIGTERM");
      await exited(web);
    },
  };
}
