// The watchlist part of `npm run bench -- ui`: 500 symbols at up to 20 updates/s each (the hub's cap
// per channel) through the real simulator, server and web app, in headless Chromium. Figures: long
// tasks over 50 ms, frames dropped (gaps between animation frames beyond one 60 Hz frame), React
// commits (one per animation frame at most), and the JS heap sampled after a forced GC every 10 s,
// its slope extrapolated to 10 minutes (said so in the output, never passed off as a 10-minute run).
import { chromium, type Browser } from "@playwright/test";
import { createDb, createTestDatabase, seedSymbols, type TestDatabase } from "@torghut/db";
import { startSimulator } from "@torghut/market-sim";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHROMIUM_LAUNCH } from "../e2e/support/env";
import { readCounters, ratesBetween } from "./lib/metric-counters";
import { describePage, meteredContext, meterPage, type PageFigures } from "./lib/ui-page-meter";
import { startUiStack } from "./lib/ui-stack";

export interface WatchlistFigures extends PageFigures {
  symbols: number;
  simTradesPerSecond: number;
  /** Per second at each hop on the server: Alpaca messages in, hub publications out, deliveries, throttled. */
  hops: Record<string, number>;
}

/** The hops the load passes on the server, in order, so a short rate says where it was lost. */
export const HOP_COUNTERS = [
  "alpaca_messages_total",
  "torghut_realtime_published_total",
  "torghut_realtime_deliveries_total",
  "torghut_realtime_throttled_total",
  "torghut_realtime_conflated_messages_total",
] as const;

const SECRET = "bench-ui-watch-secret-0123456789abcdef0123";

export async function watchlistBench(
  webServer: string,
  webDir: string,
  seconds: number,
  symbolCount = 500,
  simTradesPerSecond = 10_000,
  postgresUrl = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres",
): Promise<WatchlistFigures> {
  const symbols = Array.from({ length: symbolCount }, (_, i) => `W${String(i + 1).padStart(3, "0")}`);
  const dataDir = mkdtempSync(join(tmpdir(), "torghut-bench-watch-"));
  const children: ChildProcess[] = [];
  const sim = await startSimulator({ port: 0, seed: 11, symbols, tradesPerSecond: simTradesPerSecond });
  let browser: Browser | null = null;
  // PostgreSQL, as production runs 500 symbols: ingest on its worker thread. On PGlite ingest shares
  // the main loop with the hub, and at 10,000 trades/s the Alpaca heartbeat starved within seconds.
  let database: TestDatabase | null = null;
  try {
    database = await createTestDatabase(postgresUrl, "torghut_bench_ui");
    const db = await createDb({ url: database.url });
    await seedSymbols(db, symbols);
    await db.close();
    const { base, apiUrl } = await startUiStack({
      sim,
      symbols,
      dataDir,
      databaseUrl: database.url,
      secret: SECRET,
      webServer,
      webDir,
      children,
    });

    browser = await chromium.launch({
      ...CHROMIUM_LAUNCH,
      args: [...CHROMIUM_LAUNCH.args, "--js-flags=--expose-gc"],
    });
    const page = await (await meteredContext(browser)).newPage();
    await page.goto(base);
    await page.getByTestId("live-state").and(page.locator("[data-state=live]")).waitFor({ timeout: 60_000 });
    await page.getByTestId(`price-${symbols[0]}`).filter({ hasText: /\d/ }).waitFor({ timeout: 60_000 });
    // Settle: the first REST answer and the subscription burst are not the steady state.
    await page.waitForTimeout(3_000);
    const hopsFirst = await readCounters(apiUrl, HOP_COUNTERS);
    const startedAt = Date.now();
    const figures = await meterPage(page, "__torghutWatchStore.stats", seconds);
    const hopsLast = await readCounters(apiUrl, HOP_COUNTERS);
    return {
      symbols: symbolCount,
      simTradesPerSecond,
      ...figures,
      hops: ratesBetween(hopsFirst, hopsLast, (Date.now() - startedAt) / 1000),
    };
  } finally {
    await browser?.close();
    for (const child of children.reverse()) child.kill("SIGTERM");
    await Promise.all(
      children.map((c) => (c.exitCode === null ? new Promise((r) => c.once("exit", r)) : Promise.resolve())),
    );
    await sim.close();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The full-stack run's report: the load check with each server hop's rate, then the page's figures. */
export function describeFullStack(watch: WatchlistFigures): string[] {
  const target = watch.simTradesPerSecond;
  const reached = watch.tradesPerSecond >= 0.9 * target;
  const hops = Object.entries(watch.hops)
    .map(([name, rate]) => `${name.replace(/^torghut_|_total$/g, "")} ${rate.toFixed(0)}`)
    .join(", ");
  return [
    `\nui bench: watchlist, full stack: ${watch.symbols} symbols, simulator ${target} trades/s, ` +
      `${watch.seconds.toFixed(0)} s measured`,
    `  load check: the page received ${watch.tradesPerSecond.toFixed(0)} of ${target} trades/s asked → ` +
      `${reached ? "reached" : "NOT REACHED: the figures below are not the 500 × 20/s load"} · server per second: ${hops}`,
    ...describePage("watchlist page", watch),
    `  long tasks > 50 ms: ${watch.longTasks} (goal 0 → ${watch.longTasks === 0 ? "met" : "MISSED"}) · JS heap ` +
      `slope ${watch.heapSlopeMbPerMin.toFixed(2)} MB/min → over 10 min: ${(watch.heapSlopeMbPerMin * 10).toFixed(1)} MB ` +
      (watch.seconds >= 590
        ? `(measured over ${(watch.seconds / 60).toFixed(1)} minutes)`
        : `(extrapolated from ${watch.seconds.toFixed(0)} s, not a 10-minute run: --minutes 10 measures it)`),
  ];
}
