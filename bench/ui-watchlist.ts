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
import { startUiStack } from "./lib/ui-stack";

export interface WatchlistFigures {
  symbols: number;
  seconds: number;
  simTradesPerSecond: number;
  tradesPerSecond: number;
  quotesPerSecond: number;
  flushesPerSecond: number;
  frames: number;
  droppedFrames: number;
  longTasks: number;
  longestTaskMs: number;
  heapStartMb: number;
  heapEndMb: number;
  heapSlopeMbPerMin: number;
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
    const context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      deviceScaleFactor: 1,
    });
    // A string, not a function: tsx would wrap named helpers in `__name`, which the page does not have.
    await context.addInitScript({
      content: `
        window.__longTasks = [];
        window.__frames = [];
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
        }).observe({ type: "longtask", buffered: true });
        window.__onFrame = (t) => { window.__frames.push(t); requestAnimationFrame(window.__onFrame); };
        requestAnimationFrame(window.__onFrame);
      `,
    });
    const page = await context.newPage();
    await page.goto(base);
    await page.getByTestId("live-state").and(page.locator("[data-state=live]")).waitFor({ timeout: 60_000 });
    await page.getByTestId(`price-${symbols[0]}`).filter({ hasText: /\d/ }).waitFor({ timeout: 60_000 });
    // Settle: the first REST answer and the subscription burst are not the steady state.
    await page.waitForTimeout(3_000);
    type Stats = { trades: number; quotes: number; flushes: number };
    const read = () =>
      page.evaluate(() => {
        const w = globalThis as unknown as {
          gc?: () => void;
          __torghutWatchStore?: { stats: Stats };
        };
        w.gc?.();
        const memory = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory;
        return {
          at: performance.now(),
          heap: (memory?.usedJSHeapSize ?? Number.NaN) / 1024 / 1024,
          stats: { ...(w.__torghutWatchStore?.stats ?? { trades: 0, quotes: 0, flushes: 0 }) },
        };
      });
    const first = await read();
    const hopsFirst = await readCounters(apiUrl, HOP_COUNTERS);
    const heap: { at: number; mb: number }[] = [{ at: first.at, mb: first.heap }];
    for (let left = seconds; left > 0; left -= 10) {
      await page.waitForTimeout(Math.min(10, left) * 1000);
      const sample = await read();
      heap.push({ at: sample.at, mb: sample.heap });
    }
    const last = await read();
    const hopsLast = await readCounters(apiUrl, HOP_COUNTERS);
    const window = await page.evaluate(
      ({ t0, t1 }) => {
        const w = globalThis as unknown as {
          __longTasks: { start: number; duration: number }[];
          __frames: number[];
        };
        const tasks = w.__longTasks.filter((t) => t.start >= t0 && t.start <= t1).map((t) => t.duration);
        const frames = w.__frames.filter((t) => t >= t0 && t <= t1);
        let dropped = 0;
        for (let i = 1; i < frames.length; i++)
          dropped += Math.max(0, Math.round((frames[i]! - frames[i - 1]!) / (1000 / 60)) - 1);
        return { tasks, frames: frames.length, dropped };
      },
      { t0: first.at, t1: last.at },
    );
    const elapsed = (last.at - first.at) / 1000;
    return {
      symbols: symbolCount,
      seconds: elapsed,
      simTradesPerSecond,
      tradesPerSecond: (last.stats.trades - first.stats.trades) / elapsed,
      quotesPerSecond: (last.stats.quotes - first.stats.quotes) / elapsed,
      flushesPerSecond: (last.stats.flushes - first.stats.flushes) / elapsed,
      frames: window.frames,
      droppedFrames: window.dropped,
      longTasks: window.tasks.length,
      longestTaskMs: window.tasks.length === 0 ? 0 : Math.max(...window.tasks),
      heapStartMb: heap[0]!.mb,
      heapEndMb: heap.at(-1)!.mb,
      heapSlopeMbPerMin: slope(heap) * 60_000,
      hops: ratesBetween(hopsFirst, hopsLast, elapsed),
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

/** Least-squares slope of heap MB over ms. */
function slope(points: readonly { at: number; mb: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p.at, 0) / n;
  const my = points.reduce((s, p) => s + p.mb, 0) / n;
  const num = points.reduce((s, p) => s + (p.at - mx) * (p.mb - my), 0);
  const den = points.reduce((s, p) => s + (p.at - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}
