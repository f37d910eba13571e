// The watchlist's isolated mode (`npm run bench -- ui --watchlist isolated`): the page's cost apart
// from the box's. The page gets exactly N symbols × 20 trades/s (and the simulator's 0.6 quotes per
// trade) from our real hub and SignalR transport in a child process (bench/ui-feed-server.ts) fed
// by a cheap publisher; the REST answers (symbol list, session summaries, health) still come from
// the real server on a quiet simulator. The floor runs first against the same feed: a bare page
// that only parses the frames. Reported: both pages' main-thread time per 1,000 messages and their
// ratio, long tasks with what ran in them, frames dropped, and the heap slope after GC. A second floor
// reads the same hub in the transport's other mode: with the records of each flush joined into one
// WebSocket message (the default) against one message per record (before issue #18's change);
// `--one-per-record` puts the page (and the first floor) on the one-per-record mode instead.
// With `--task-cpu`, a last page replays the watchlist's traced main-thread CPU alone under the same
// feed (bench/lib/ui-replay-page.ts): the box's floor for the page's long tasks, and the page's ratio.
import { chromium, type Browser, type Page } from "@playwright/test";
import { createDb, createTestDatabase, seedSymbols, type TestDatabase } from "@torghut/db";
import { startSimulator } from "@torghut/market-sim";
import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHROMIUM_LAUNCH } from "../e2e/support/env";
import { exited, request } from "./lib/processes";
import {
  describePage,
  describeTaskCpu,
  meteredContext,
  meterPage,
  type PageFigures,
} from "./lib/ui-page-meter";
import type { TaskCpu } from "./lib/task-cpu-trace";
import { startUiStack } from "./lib/ui-stack";
import type { FeedConfig, FeedStats } from "./ui-feed-server";

export interface IsolatedOptions {
  webServer: string;
  webDir: string;
  seconds: number;
  floorSeconds?: number;
  symbols?: number;
  tradesPerSymbol?: number;
  quotesPerSymbol?: number;
  /** The hub's per-client queue in messages; see DEFAULT_CLIENT_BUFFER. */
  clientBuffer?: number;
  /** The page's hub sends one WebSocket message per record instead of one per flush. */
  onePerRecord?: boolean;
  /** A CPU profile of the watchlist page over its window (top self-time functions). */
  profile?: boolean;
  /** Each page's main-thread tasks from Chromium's trace: long by wall time and by CPU time. */
  taskCpu?: boolean;
  /**
   * The logical cores the watchlist page is told it has (navigator.hardwareConcurrency): the page
   * runs its feed in a worker from 4 (apps/web lib/live/feed-client.ts). Default: this machine's.
   */
  cores?: number;
  postgresUrl?: string;
}

/** The feed's rates over one page's window, per second, and its own CPU share. */
export interface FeedWindow {
  offered: number;
  published: number;
  deliveries: number;
  throttled: number;
  conflated: number;
  slowClosed: number;
  cpu: number;
}

export interface IsolatedFigures {
  symbols: number;
  /** The cores the watchlist page saw (navigator.hardwareConcurrency). */
  cores: number;
  onePerRecord: boolean;
  clientBuffer: number;
  tradesPerSymbol: number;
  quotesPerSymbol: number;
  floor: PageFigures;
  /** The floor's connection at the end of its window: "live", or "closed <code>" (it does not reconnect). */
  floorState: string;
  floorFeed: FeedWindow;
  /** The same floor on the transport's other mode (OTHER_HUB_PATH). */
  other: PageFigures;
  otherState: string;
  otherFeed: FeedWindow;
  page: PageFigures;
  pageFeed: FeedWindow;
  /** With `taskCpu`: the page's traced main-thread CPU replayed on a page doing nothing else. */
  replay: Replay | null;
}

/** The replay page's run (bench/lib/ui-replay-page.ts): the box's floor for the page's tasks. */
export interface Replay {
  figures: PageFigures;
  feed: FeedWindow;
  state: string;
  iterationsPerMs: number;
  replayedTasks: number;
  replayedCpuMs: number;
  /** How far behind its offset the replay ran a task at worst (the box, or tasks back to back). */
  lateMs: number;
}

/**
 * The feed hub's per-client queue. Production's WS_CLIENT_BUFFER default (256) is smaller than the
 * watchlist's 1,000 channels (lines and order_book of 500 symbols): conflation keeps one frame per
 * channel, so a full queue stays full and the hub closes the page (1008) after any 16 ms stall at
 * 16,000 messages/s, the floor page included on a loaded box. Here the queue holds every channel's
 * latest value four times over; `--client-buffer 256` shows production's behaviour.
 */
export const DEFAULT_CLIENT_BUFFER = 4096;

/** The feed's second SignalR transport: the mode the page is not on (one message per record, or joined). */
const OTHER_HUB_PATH = "/hubs/other";
const SECRET = "bench-ui-feed-secret-0123456789abcdef0123";
/** The REST side's simulator: enough trades that rows are fresh by the server's health, little CPU. */
const QUIET_SIM_TRADES_PER_SECOND = 250;

function feedWindow(a: FeedStats, b: FeedStats): FeedWindow {
  const s = (b.at - a.at) / 1000;
  return {
    offered: (b.offered.trades + b.offered.quotes - a.offered.trades - a.offered.quotes) / s,
    published: (b.hub.published - a.hub.published) / s,
    deliveries: (b.hub.deliveries - a.hub.deliveries) / s,
    throttled: (b.hub.throttled - a.hub.throttled) / s,
    conflated: (b.hub.conflated - a.hub.conflated) / s,
    slowClosed: b.hub.slowClosed - a.hub.slowClosed,
    cpu: (b.cpuMs - a.cpuMs) / (b.at - a.at),
  };
}

/** Feed stats around `meter`: what the hub offered, published and delivered during that window. */
async function withFeed(
  feed: ChildProcess,
  meter: () => Promise<PageFigures>,
): Promise<[PageFigures, FeedWindow]> {
  const before = await request<FeedStats>(feed, { cmd: "stats" }, "stats");
  const figures = await meter();
  const after = await request<FeedStats>(feed, { cmd: "stats" }, "stats");
  return [figures, feedWindow(before, after)];
}

async function settle(page: Page): Promise<void> {
  // The first REST answer and the subscription burst are not the steady state.
  await page.waitForTimeout(3_000);
}

export async function isolatedWatchlistBench(options: IsolatedOptions): Promise<IsolatedFigures> {
  const count = options.symbols ?? 500;
  const tradesPerSymbol = options.tradesPerSymbol ?? 20;
  const quotesPerSymbol = options.quotesPerSymbol ?? tradesPerSymbol * 0.6;
  const symbols = Array.from({ length: count }, (_, i) => `W${String(i + 1).padStart(3, "0")}`);
  const clientBuffer = options.clientBuffer ?? DEFAULT_CLIENT_BUFFER;
  const onePerRecord = options.onePerRecord === true;
  const config: FeedConfig = {
    secret: SECRET,
    symbols,
    tradesPerSymbol,
    quotesPerSymbol,
    clientBuffer,
    onePerRecord,
    otherHubPath: OTHER_HUB_PATH,
  };
  const feed = fork(join(import.meta.dirname, "ui-feed-server.ts"), [JSON.stringify(config)], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const dataDir = mkdtempSync(join(tmpdir(), "torghut-bench-watch-iso-"));
  const children: ChildProcess[] = [];
  const sim = await startSimulator({
    port: 0,
    seed: 13,
    symbols,
    tradesPerSecond: QUIET_SIM_TRADES_PER_SECOND,
  });
  let browser: Browser | null = null;
  let database: TestDatabase | null = null;
  try {
    const { port, floorToken } = await request<{ port: number; floorToken: string }>(feed, null, "listening");
    const feedOrigin = `http://127.0.0.1:${port}`;
    const postgresUrl =
      options.postgresUrl ?? (process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres");
    database = await createTestDatabase(postgresUrl, "torghut_bench_ui_iso");
    const db = await createDb({ url: database.url });
    await seedSymbols(db, symbols);
    await db.close();
    const { base } = await startUiStack({
      sim,
      symbols,
      dataDir,
      databaseUrl: database.url,
      secret: SECRET,
      webServer: options.webServer,
      webDir: options.webDir,
      children,
      // The browser opens the hub on the feed (the web app signs its token with the feed's secret).
      webEnv: { NEXT_PUBLIC_TORGHUT_WS_ORIGIN: feedOrigin },
    });
    browser = await chromium.launch({
      ...CHROMIUM_LAUNCH,
      args: [...CHROMIUM_LAUNCH.args, "--js-flags=--expose-gc"],
    });

    const floorRun = async (path: string): Promise<[PageFigures, FeedWindow, string]> => {
      const floorContext = await meteredContext(browser!);
      const floorPage = await floorContext.newPage();
      await floorPage.goto(`${feedOrigin}/floor?path=${path}&token=${encodeURIComponent(floorToken)}`);
      await floorPage.locator("#state", { hasText: "live" }).waitFor({ timeout: 30_000 });
      await settle(floorPage);
      const [figures, window] = await withFeed(feed, () =>
        meterPage(floorPage, "__floor", options.floorSeconds ?? Math.min(30, options.seconds), {
          taskCpu: options.taskCpu === true,
        }),
      );
      const state = await floorPage.evaluate<string>("window.__floor.state");
      await floorContext.close();
      return [figures, window, state];
    };
    const [floor, floorFeed, floorState] = await floorRun("/hubs/market-data");
    const [other, otherFeed, otherState] = await floorRun(OTHER_HUB_PATH);

    const context = await meteredContext(browser);
    if (options.cores !== undefined)
      await context.addInitScript({
        content: `Object.defineProperty(navigator, "hardwareConcurrency", { get: () => ${options.cores} })`,
      });
    const page = await context.newPage();
    const cores = await page.evaluate<number>("navigator.hardwareConcurrency");
    await page.goto(base);
    await page.getByTestId("live-state").and(page.locator("[data-state=live]")).waitFor({ timeout: 60_000 });
    await page.getByTestId(`price-${symbols[0]}`).filter({ hasText: /\d/ }).waitFor({ timeout: 60_000 });
    await settle(page);
    const [watch, pageFeed] = await withFeed(feed, () =>
      meterPage(page, "__torghutWatchStore.stats", options.seconds, {
        profile: options.profile === true,
        taskCpu: options.taskCpu === true && options.profile !== true,
      }),
    );
    await context.close();

    // The page's traced tasks, replayed as bare CPU against the same feed: the box's floor for them.
    const replayRun = async (cpu: TaskCpu): Promise<Replay> => {
      const replayContext = await meteredContext(browser!);
      const replayPage = await replayContext.newPage();
      const where = watch.workerCpu > 0 ? "worker" : "main";
      await replayPage.goto(`${feedOrigin}/replay?feed=${where}&token=${encodeURIComponent(floorToken)}`);
      await replayPage.locator("#state", { hasText: "live" }).waitFor({ timeout: 30_000 });
      await settle(replayPage);
      await replayPage.evaluate(`window.__replay.start(${JSON.stringify(cpu.tasks)})`);
      const [figures, window] = await withFeed(feed, () =>
        meterPage(replayPage, "__replay", cpu.seconds, { taskCpu: true }),
      );
      const replayed = await replayPage.evaluate<Omit<Replay, "figures" | "feed">>(
        "(({ state, iterationsPerMs, replayedTasks, replayedCpuMs, lateMs }) => " +
          "({ state, iterationsPerMs, replayedTasks, replayedCpuMs, lateMs }))(window.__replay)",
      );
      await replayContext.close();
      return { figures, feed: window, ...replayed };
    };
    const replay = watch.taskCpu === null ? null : await replayRun(watch.taskCpu);
    return {
      symbols: count,
      cores,
      onePerRecord,
      clientBuffer,
      tradesPerSymbol,
      quotesPerSymbol,
      floor,
      floorState,
      floorFeed,
      other,
      otherState,
      otherFeed,
      page: watch,
      pageFeed,
      replay,
    };
  } finally {
    await browser?.close();
    for (const child of children.reverse()) child.kill("SIGTERM");
    await Promise.all(children.map(exited));
    feed.send({ cmd: "close" });
    await exited(feed);
    await sim.close();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The isolated mode's report: the goal rate, the floor, the page, and the page over the floor. */
export function describeIsolated(f: IsolatedFigures): string[] {
  const asked = f.symbols * (f.tradesPerSymbol + f.quotesPerSymbol);
  const feedLine = (w: FeedWindow) =>
    `feed offered ${w.offered.toFixed(0)}/s, hub published ${w.published.toFixed(0)}/s, delivered ` +
    `${w.deliveries.toFixed(0)}/s, conflated ${w.conflated.toFixed(0)}/s, slow clients closed ${w.slowClosed}, ` +
    `feed process CPU ${(w.cpu * 100).toFixed(0)}%`;
  const reached = f.page.tradesPerSecond >= 0.9 * f.symbols * f.tradesPerSymbol;
  const ratio = f.page.busyMsPerThousand / f.floor.busyMsPerThousand;
  const [joined, perRecord] = f.onePerRecord ? [f.other, f.floor] : [f.floor, f.other];
  const joinedRatio = joined.busyMsPerThousand / perRecord.busyMsPerThousand;
  const mode = (perRecordMode: boolean) =>
    perRecordMode ? "one WebSocket message per record" : "one WebSocket message per flush";
  const dropped = (p: PageFigures) => (p.droppedFrames / Math.max(1, p.frames + p.droppedFrames)) * 100;
  return [
    `\nui bench: watchlist, isolated: ${f.symbols} symbols × ${f.tradesPerSymbol} trades/s + ` +
      `${f.quotesPerSymbol} quotes/s each (${asked.toFixed(0)} messages/s) from our hub and SignalR transport ` +
      `in a feed process (client queue ${f.clientBuffer} messages); REST from the real server on a quiet simulator`,
    ...describePage(
      `floor (parse only; ${mode(f.onePerRecord)}; connection ${f.floorState} at the end)`,
      f.floor,
    ),
    `    ${feedLine(f.floorFeed)}`,
    ...describePage(`floor (parse only; ${mode(!f.onePerRecord)}; connection ${f.otherState})`, f.other),
    `    ${feedLine(f.otherFeed)}`,
    ...describePage(
      `watchlist page (${mode(f.onePerRecord)}; ${f.cores} cores seen: feed ${f.page.workerCpu > 0 ? "in a worker" : "on the page"})`,
      f.page,
    ),
    `    ${feedLine(f.pageFeed)}`,
    `  floors: one message per flush / one per record: ${joinedRatio.toFixed(2)}× the main-thread time per message`,
    `  load check: the page took ${f.page.tradesPerSecond.toFixed(0)} of ${f.symbols * f.tradesPerSymbol} trades/s → ` +
      (reached ? "reached" : "NOT REACHED: the figures above are not the goal load"),
    `  page / floor (same mode): ${ratio.toFixed(2)}× the main-thread time per message · long tasks > 50 ms ${f.page.longTasks} ` +
      `(goal 0 → ${f.page.longTasks === 0 && reached ? "met" : "MISSED"}) · frames dropped ` +
      `${dropped(f.page).toFixed(1)}% (floor ${dropped(f.floor).toFixed(1)}%)`,
    ...(f.page.taskCpu === null
      ? []
      : [
          `  of the page's work (first ${f.page.taskCpu.seconds} s): tasks over 50 ms of the main thread's own CPU time ` +
            `${f.page.taskCpu.longByCpu}, floor ${f.floor.taskCpu?.longByCpu ?? "?"} — the rest of the long tasks is the ` +
            `thread waiting for a core (${f.page.taskCpu.longCpuMs.toFixed(0)} ms of CPU in ` +
            `${f.page.taskCpu.longWallMs.toFixed(0)} ms of long tasks)`,
        ]),
    ...(f.replay === null ? [] : describeReplay(f.page, f.pageFeed, f.replay)),
    `  JS heap after GC: ${f.page.heapStartMb.toFixed(1)} → ${f.page.heapEndMb.toFixed(1)} MB over ` +
      `${(f.page.seconds / 60).toFixed(1)} min, slope ${f.page.heapSlopeMbPerMin.toFixed(3)} MB/min` +
      (f.page.seconds >= 590 ? " (a 10-minute run)" : " (not a 10-minute run: --minutes 10 measures it)"),
  ];
}

/** The replay's report: how faithful it was, and the page's long tasks over the box's floor for them. */
function describeReplay(page: PageFigures, pageFeed: FeedWindow, r: Replay): string[] {
  const f = r.figures;
  const dropped = (f.droppedFrames / Math.max(1, f.frames + f.droppedFrames)) * 100;
  const lines = [
    `  replay of the page's main-thread CPU (bench/lib/ui-replay-page.ts): ${r.replayedTasks} tasks of the page's trace, ` +
      `${r.replayedCpuMs.toFixed(0)} ms of CPU at the page's offsets (at worst ${r.lateMs.toFixed(0)} ms late), ` +
      `on a page doing nothing else; the feed taken ${page.workerCpu > 0 ? "by a worker" : "on the main thread"} ` +
      `and only counted (connection ${r.state})`,
    `    main thread busy ${(f.busy * 100).toFixed(1)}% · worker threads CPU ${(f.workerCpu * 100).toFixed(1)}% · ` +
      `long tasks > 50 ms: ${f.longTasks} (longest ${f.longestTaskMs.toFixed(0)} ms) · frames dropped ${dropped.toFixed(1)}%`,
    `    feed: hub delivered ${r.feed.deliveries.toFixed(0)}/s (to the page ${pageFeed.deliveries.toFixed(0)}/s), ` +
      `feed process CPU ${(r.feed.cpu * 100).toFixed(0)}% (with the page ${(pageFeed.cpu * 100).toFixed(0)}%)`,
  ];
  const replayed = f.taskCpu;
  const traced = page.taskCpu;
  if (replayed === null || traced === null) return lines;
  const ratio =
    replayed.longByWall > 0 ? (traced.longByWall / replayed.longByWall).toFixed(2) + "×" : "— (floor 0)";
  return [
    ...lines,
    describeTaskCpu(replayed),
    `  the box's floor for the page's work (first ${traced.seconds} s of each, Chromium's trace): tasks over 50 ms of ` +
      `wall time: page ${traced.longByWall}, replay of its CPU ${replayed.longByWall} → page / floor ${ratio}; ` +
      `CPU of the traced tasks: page ${traced.totalCpuMs.toFixed(0)} ms, replay ${replayed.totalCpuMs.toFixed(0)} ms`,
  ];
}
