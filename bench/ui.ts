// `npm run bench -- ui [seconds] [watchlist seconds] [--parts chart,full,isolated] [--minutes N] [--profile] [--task-cpu] [--cores N]`.
// chart: the visuals page in headless Chromium against a real server, simulator and the standalone web
// server. Figures: time to first candle with 5,000 one-minute bars, and long tasks (PerformanceObserver
// "longtask") while the chart takes live updates (the hub sends up to 20 per second per channel).
// Same-run baseline: the same page with 500 bars. Each page opens in a fresh browser context (a first
// visit), and the output breaks the first candle down into the page load's milestones (HTML, scripts,
// hydration, bars, setData) to show where the time goes. full: the watchlist at 500 symbols through the
// whole stack (ui-watchlist.ts). isolated: the watchlist fed by our hub alone at the goal rate, against
// a parse-only floor page in the same run (ui-watchlist-isolated.ts).
import { chromium, type Page } from "@playwright/test";
import type { Bar1m } from "@torghut/contracts";
import { createDb, seedSymbols } from "@torghut/db";
import { startSimulator } from "@torghut/market-sim";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { upsertBars } from "../apps/server/src/store/bars/minute-bars";
import { CHROMIUM_LAUNCH } from "../e2e/support/env";
import { ROOT } from "./lib/processes";
import { startUiStack } from "./lib/ui-stack";
import { describeFullStack, watchlistBench } from "./ui-watchlist";
import { describeIsolated, isolatedWatchlistBench } from "./ui-watchlist-isolated";

const WEB = join(ROOT, "apps/web");
/** The production web server (the standalone build's server.mjs), as `npm start` and the web image run it. */
const WEB_SERVER = join(WEB, ".next/standalone/apps/web/server.mjs");
const SECRET = "bench-ui-secret-0123456789abcdef0123456789";
const BIG = { symbol: "AAPL", bars: 5_000 };
/** A year of history (one bar an hour) for the range change to 1Y of daily bars. */
const YEAR = "YEAR";
const SMALL = { symbol: "MSFT", bars: 500 };

/** A random walk of one-minute bars ending at the last whole minute. */
function walk(symbol: string, count: number, start: number): Bar1m[] {
  const end = Date.now() - (Date.now() % 60_000) - 60_000;
  let price = start;
  const bars: Bar1m[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const open = price;
    const close = Math.max(1, open * (1 + (Math.random() - 0.5) * 0.004));
    const high = Math.max(open, close) * (1 + Math.random() * 0.001);
    const low = Math.min(open, close) * (1 - Math.random() * 0.001);
    price = close;
    bars.push({
      symbol,
      minute: new Date(end - i * 60_000).toISOString(),
      open,
      high,
      low,
      close,
      volume: 1000,
      vwap: (high + low + close) / 3,
      tradeCount: 10,
      source: "alpaca",
      delayed: false,
    });
  }
  return bars;
}

/** Milestones of the page load, in ms from navigation start (NaN when the page had no such event). */
interface Breakdown {
  /** The HTML document: first and last byte. */
  htmlStart: number;
  htmlEnd: number;
  /** Last byte of the last script the page loaded before its first candle. */
  scriptsEnd: number;
  domContentLoaded: number;
  /** `torghut:hydrated`: the visuals page component's first effect (React has committed the tree). */
  hydrated: number;
  /** The browser's own `/api/torghut/ta/bars` request, if any (NaN when the bars came with the HTML). */
  barsStart: number;
  barsEnd: number;
  /** `torghut:set-data`: the candles handed to lightweight-charts. */
  setData: number;
  /** Kilobytes transferred: HTML (with any inlined data), scripts. */
  htmlKb: number;
  scriptKb: number;
}

interface Run {
  bars: number;
  firstCandleMs: number;
  breakdown: Breakdown;
  updates: number;
  updatesPerSecond: number;
  longTasks: number;
  longestTaskMs: number;
}

async function measure(page: Page, base: string, symbol: string, seconds: number): Promise<Run> {
  await page.goto(`${base}/torghut/visuals?symbol=${symbol}&interval=1m&days=3.6`);
  await page.waitForFunction(() => performance.getEntriesByName("torghut:first-candles").length > 0, null, {
    timeout: 30_000,
  });
  const first = await page.evaluate(() => {
    // No helper functions in here: tsx would wrap them in `__name`, which the page does not have.
    const mark = performance.getEntriesByName("torghut:first-candles")[0] as unknown as {
      startTime: number;
      detail: { candles: number };
    };
    // The DOM's timing types, spelled out: this package compiles without the DOM typings.
    type Timing = {
      name: string;
      startTime: number;
      responseStart: number;
      responseEnd: number;
      encodedBodySize: number;
    };
    const nav = performance.getEntriesByType("navigation" as "mark")[0] as unknown as Timing & {
      domContentLoadedEventEnd: number;
    };
    const resources = performance.getEntriesByType("resource") as unknown as (Timing & {
      initiatorType: string;
    })[];
    const scripts = resources.filter((e) => e.initiatorType === "script" && e.startTime < mark.startTime);
    const bars = resources.find((e) => e.name.includes("/api/torghut/ta/bars"));
    return {
      bars: mark.detail.candles,
      breakdown: {
        htmlStart: nav.responseStart,
        htmlEnd: nav.responseEnd,
        scriptsEnd: scripts.length === 0 ? Number.NaN : Math.max(...scripts.map((e) => e.responseEnd)),
        domContentLoaded: nav.domContentLoadedEventEnd,
        hydrated: performance.getEntriesByName("torghut:hydrated")[0]?.startTime ?? Number.NaN,
        barsStart: bars?.startTime ?? Number.NaN,
        barsEnd: bars?.responseEnd ?? Number.NaN,
        setData: performance.getEntriesByName("torghut:set-data")[0]?.startTime ?? Number.NaN,
        htmlKb: nav.encodedBodySize / 1024,
        scriptKb: scripts.reduce((sum, e) => sum + e.encodedBodySize, 0) / 1024,
      },
      firstCandle: mark.startTime,
    };
  });
  const count = async () => Number(await page.getByTestId("live-updates").getAttribute("data-count"));
  await page.getByTestId("live-state").and(page.locator("[data-state=live]")).waitFor({ timeout: 30_000 });
  const before = await count();
  const since = await page.evaluate(() => performance.now());
  await page.waitForTimeout(seconds * 1000);
  // Only tasks that started during the live window (observer callbacks may arrive late).
  const tasks = await page.evaluate(
    (t0) =>
      (globalThis as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks
        .filter((t) => t.start >= t0)
        .map((t) => t.duration),
    since,
  );
  const updates = (await count()) - before;
  return {
    bars: first.bars,
    firstCandleMs: first.firstCandle,
    breakdown: first.breakdown,
    updates,
    updatesPerSecond: updates / seconds,
    longTasks: tasks.length,
    longestTaskMs: tasks.length === 0 ? 0 : Math.max(...tasks),
  };
}

/**
 * From `?range=1M` (hourly bars) to the 1Y preset (daily bars): click to the new candles painted
 * (two animation frames after the chart state says so), five times, in the page's own clock.
 */
async function rangeChange(page: Page, base: string): Promise<{ ms: number[]; bars: number }> {
  const ms: number[] = [];
  let bars = 0;
  for (let i = 0; i < 5; i++) {
    await page.goto(`${base}/torghut/visuals?symbol=${YEAR}&interval=1h&range=1M`);
    await page
      .getByTestId("chart-state")
      .and(page.locator("[data-status=ok]"))
      .waitFor({ state: "attached", timeout: 30_000 });
    // A string: this package compiles without the DOM typings, and tsx must not wrap anything in it.
    const result = await page.evaluate<{ ms: number; bars: number }>(`new Promise((resolve) => {
      const state = document.querySelector("[data-testid=chart-state]");
      const before = state.getAttribute("data-first-time");
      const t0 = performance.now();
      new MutationObserver((_records, observer) => {
        if (state.getAttribute("data-status") !== "ok" || state.getAttribute("data-first-time") === before) return;
        observer.disconnect();
        requestAnimationFrame(() => requestAnimationFrame(() =>
          resolve({ ms: performance.now() - t0, bars: Number(state.getAttribute("data-candles")) })));
      }).observe(state, { attributes: true });
      document.querySelector("[data-testid=range-1Y]").click();
    })`);
    ms.push(result.ms);
    bars = result.bars;
  }
  return { ms, bars };
}

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1]!;

type Part = "chart" | "full" | "isolated";
const PARTS: readonly Part[] = ["chart", "full", "isolated"];

/** `--name value` out of `args`: the value (or undefined) and the args without the pair. */
function option(args: string[], name: string): [string | undefined, string[]] {
  const at = args.indexOf(name);
  if (at === -1) return [undefined, args];
  return [args[at + 1], args.filter((_, i) => i !== at && i !== at + 1)];
}

/**
 * `npm run bench -- ui [chart seconds] [watchlist seconds] [--minutes N] [--parts chart,full,isolated]
 * [--profile] [--task-cpu] [--client-buffer N] [--one-per-record] [--cores N]`: `--minutes N` runs each watchlist for N minutes (the heap over a real 10 minutes:
 * `--parts isolated --minutes 10`); `--profile` adds the isolated page's top self-time functions and
 * main-thread trace; `--task-cpu` traces each isolated page's main-thread tasks (long by wall time and by
 * the thread's CPU time; the trace itself loads the box) and replays the watchlist's traced CPU on a bare
 * page, the box's floor for its long tasks; `--cores N` tells the isolated page it has N
 * cores (it runs its feed in a worker from 4).
 */
export default async function ui(argv: string[]): Promise<void> {
  const [minutesText, a1] = option(argv, "--minutes");
  const [partsText, a2a] = option(a1, "--parts");
  const [bufferText, a2b] = option(a2a, "--client-buffer");
  const [coresText, a2] = option(a2b, "--cores");
  const profile = a2.includes("--profile");
  const taskCpu = a2.includes("--task-cpu");
  const onePerRecord = a2.includes("--one-per-record");
  const positional = a2.filter((a) => !["--profile", "--task-cpu", "--one-per-record"].includes(a));
  const minutes = minutesText === undefined ? undefined : Number(minutesText);
  if (minutes !== undefined && !(minutes > 0)) throw new Error("--minutes needs a positive number");
  const parts = (partsText ?? PARTS.join(",")).split(",") as Part[];
  if (parts.some((p) => !PARTS.includes(p))) throw new Error(`--parts takes ${PARTS.join(", ")}`);
  const seconds = Number(positional[0] ?? 10);
  const watchSeconds = minutes === undefined ? Number(positional[1] ?? 60) : minutes * 60;
  // scripts/web-build.mjs is plain JavaScript (`npm start` runs it on bare Node): typed here.
  const { ensureWebBuild } = (await import(pathToFileURL(join(ROOT, "scripts/web-build.mjs")).href)) as {
    ensureWebBuild: (options?: { log?: string }) => boolean;
  };
  ensureWebBuild({ log: "[bench ui]" });
  console.log(
    `[bench ui] load average at start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(", ")}`,
  );
  if (parts.includes("chart")) await chartBench(seconds);
  // Each part on its own stack, after the one before it stopped: nothing else of ours competes.
  if (parts.includes("full")) {
    const watch = await watchlistBench(WEB_SERVER, WEB, watchSeconds);
    console.log(describeFullStack(watch).join("\n"));
  }
  if (parts.includes("isolated")) {
    const figures = await isolatedWatchlistBench({
      webServer: WEB_SERVER,
      webDir: WEB,
      seconds: watchSeconds,
      profile,
      taskCpu,
      onePerRecord,
      ...(bufferText === undefined ? {} : { clientBuffer: Number(bufferText) }),
      ...(coresText === undefined ? {} : { cores: Number(coresText) }),
    });
    console.log(describeIsolated(figures).join("\n"));
  }
  console.log(
    `[bench ui] load average at end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(", ")}`,
  );
}

/** The chart workstation: first candles (500 and 5,000 bars), live updates, the range change to 1Y. */
async function chartBench(seconds: number): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "torghut-bench-ui-"));
  const children: ChildProcess[] = [];
  // ~40 trades/s per symbol: above the hub's 20 updates/s cap per channel, light on the 2-core box.
  const sim = await startSimulator({
    port: 0,
    seed: 7,
    symbols: [BIG.symbol, SMALL.symbol],
    tradesPerSecond: 80,
  });
  try {
    const db = await createDb({ dataDir });
    await seedSymbols(db, [BIG.symbol, SMALL.symbol, YEAR]);
    await upsertBars(
      db,
      walk(YEAR, 366 * 24, 120).map((b, i, all) => ({
        ...b,
        minute: new Date(Date.parse(all.at(-1)!.minute) - (all.length - 1 - i) * 3_600_000).toISOString(),
      })),
    );
    await upsertBars(db, walk(BIG.symbol, BIG.bars, 230));
    await upsertBars(db, walk(SMALL.symbol, SMALL.bars, 410));
    await db.close();

    // As `npm start` runs it: signed in as the development operator.
    const { base, apiUrl } = await startUiStack({
      sim,
      symbols: [BIG.symbol, SMALL.symbol, YEAR],
      dataDir,
      secret: SECRET,
      webServer: WEB_SERVER,
      webDir: WEB,
      children,
    });

    // Where the bars fetch goes: the API itself (the page's first load asks for columns, the
    // browser's later fetches for objects) vs. the same objects request through the Next proxy.
    const apiTimes: Record<string, number> = {};
    for (const [label, origin, format] of [
      ["API columns", apiUrl, "columns"],
      ["API objects", apiUrl, "objects"],
      ["via Next", base, "objects"],
    ] as const) {
      const samples: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        const res = await fetch(
          `${origin}/api/torghut/ta/bars?symbol=${BIG.symbol}&interval=1m&from=${Date.now() - 3.6 * 86_400_000}&format=${format}`,
        );
        await res.arrayBuffer();
        samples.push(performance.now() - t);
      }
      apiTimes[label] = samples.sort((x, y) => x - y)[2]!;
    }
    const browser = await chromium.launch(CHROMIUM_LAUNCH);
    try {
      // A fresh context (empty HTTP cache, no compiled scripts) for every page: a first visit.
      const coldContext = async () => {
        const context = await browser.newContext({
          viewport: { width: 1280, height: 900 },
          deviceScaleFactor: 1,
        });
        await context.addInitScript(() => {
          const w = globalThis as unknown as { __longTasks: { start: number; duration: number }[] };
          w.__longTasks = [];
          new PerformanceObserver((list) => {
            for (const entry of list.getEntries())
              w.__longTasks.push({ start: entry.startTime, duration: entry.duration });
          }).observe({ type: "longtask" as "mark", buffered: true }); // "longtask" is browser-only: not in the Node typings
        });
        return context;
      };
      // Warm-up: the web server compiles nothing, but the first requests fill the servers' caches.
      const warm = await coldContext();
      await measure(await warm.newPage(), base, SMALL.symbol, 1);
      await warm.close();

      const results: { label: string; run: Run }[] = [];
      for (const [label, symbol] of [
        ["baseline: 500 bars", SMALL.symbol],
        ["5,000 bars", BIG.symbol],
      ] as const) {
        const context = await coldContext();
        results.push({ label, run: await measure(await context.newPage(), base, symbol, seconds) });
        await context.close();
      }
      const rangeContext = await coldContext();
      const rangeMs = await rangeChange(await rangeContext.newPage(), base);
      await rangeContext.close();
      console.log(`\nui bench: /torghut/visuals, headless Chromium, ${seconds} s of live updates per run`);
      const ms = (v: number) => (Number.isNaN(v) ? "–" : v.toFixed(0));
      for (const { label, run } of results) {
        const b = run.breakdown;
        console.log(
          `  ${label.padEnd(20)} bars ${String(run.bars).padStart(5)} · first candle ${run.firstCandleMs.toFixed(0)} ms` +
            ` · ${run.updates} live updates (${run.updatesPerSecond.toFixed(1)}/s)` +
            ` · long tasks ${run.longTasks}, longest ${run.longestTaskMs.toFixed(0)} ms`,
        );
        console.log(
          `    HTML ${ms(b.htmlStart)}–${ms(b.htmlEnd)} ms (${b.htmlKb.toFixed(0)} kB) · scripts done ${ms(b.scriptsEnd)} ms` +
            ` (${b.scriptKb.toFixed(0)} kB) · DOMContentLoaded ${ms(b.domContentLoaded)} · hydrated ${ms(b.hydrated)}` +
            ` · bars request ${Number.isNaN(b.barsStart) ? "none (in the HTML)" : `${ms(b.barsStart)}–${ms(b.barsEnd)}`}` +
            ` · setData ${ms(b.setData)} · painted ${run.firstCandleMs.toFixed(0)}`,
        );
      }
      console.log(
        `  5,000-bar request alone (median of 5): API columns ${apiTimes["API columns"]!.toFixed(0)} ms (first load), ` +
          `objects ${apiTimes["API objects"]!.toFixed(0)} ms, objects through Next ${apiTimes["via Next"]!.toFixed(0)} ms`,
      );
      const r = rangeMs;
      console.log(
        `  range change 1M of 1h → 1Y of 1d (${r.bars} bars): ${r.ms.map((v) => v.toFixed(0)).join(", ")} ms ` +
          `(median ${median(r.ms).toFixed(0)} ms; goal < 300 ms → ${median(r.ms) < 300 ? "met" : "MISSED"})`,
      );
      const big = results.at(-1)!.run;
      console.log(
        `  goals: first candle < 1000 ms → ${big.firstCandleMs < 1000 ? "met" : "MISSED"}; ` +
          `no long task > 50 ms during live updates → ${big.longestTaskMs <= 50 ? "met" : "MISSED"}`,
      );
    } finally {
      await browser.close();
    }
  } finally {
    for (const child of children.reverse()) child.kill("SIGTERM");
    await Promise.all(
      children.map((c) => (c.exitCode === null ? new Promise((r) => c.once("exit", r)) : Promise.resolve())),
    );
    await sim.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
