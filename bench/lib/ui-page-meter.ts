// What the watchlist benches measure in a page, shared by the full-stack and the isolated mode and
// by the isolated mode's floor page: messages taken, renders, animation frames and frames dropped,
// long tasks with their attribution (Long Animation Frames: which script, invoked how), main-thread
// busy time from Chromium's own counters (CDP Performance.getMetrics), and the JS heap after a
// forced GC every 10 s with its least-squares slope.
import type { Browser, BrowserContext, CDPSession, Page } from "@playwright/test";
import { topSelfTime, type SelfTime } from "./cpu-profile";
import { mainThreadTrace, TRACE_SECONDS } from "./main-thread-trace";
import { BENCH_GC_MARK, TASK_TRACE_SECONDS, taskCpuTrace, type TaskCpu } from "./task-cpu-trace";
import { workerThreadsCpuMs } from "./thread-cpu";

/**
 * Recorders installed before any page script: long tasks, long animation frames (their scripts
 * summed by what ran) and animation frames, as running totals that `reset()` zeroes at the start
 * of a window. Totals, not lists: over a 10-minute run a list of every frame and long frame grew the
 * heap being measured by about a megabyte.
 * Long tasks are told apart by cause: those overlapping the bench's own forced GC (meterPage's
 * `read`, every 10 s: a full, non-incremental collection no page does by itself) are counted on
 * their own; the long animation frames that hold a long task (blockingDuration > 0) have their
 * scripts and their style/layout/paint summed apart from the other long frames.
 */
const INIT_SCRIPT = `
  const m = (window.__meter = {
    frames: 0, dropped: 0, last: 0, longTasks: 0, longest: 0, scripts: {},
    gcTasks: 0, gcLongest: 0, gcStart: -1, gcEnd: -1,
    blocking: {}, blockingFrames: 0, blockingMs: 0, blockingRenderMs: 0,
    reset() {
      m.frames = 0; m.dropped = 0; m.longTasks = 0; m.longest = 0; m.scripts = {};
      m.gcTasks = 0; m.gcLongest = 0;
      m.blocking = {}; m.blockingFrames = 0; m.blockingMs = 0; m.blockingRenderMs = 0;
    },
  });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      m.longTasks++;
      m.longest = Math.max(m.longest, e.duration);
      if (e.startTime <= m.gcEnd && e.startTime + e.duration >= m.gcStart) m.gcTasks++;
    }
  }).observe({ type: "longtask", buffered: true });
  const add = (totals, what, ms) => {
    const entry = (totals[what] ??= { ms: 0, count: 0 });
    entry.ms += ms;
    entry.count++;
  };
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const blocking = e.blockingDuration > 0;
        if (blocking) {
          m.blockingFrames++;
          m.blockingMs += e.duration;
          if (e.styleAndLayoutStart > 0) m.blockingRenderMs += e.startTime + e.duration - e.styleAndLayoutStart;
        }
        for (const s of e.scripts) {
          const what = s.invoker + (s.sourceFunctionName ? " " + s.sourceFunctionName : "") +
            (s.sourceURL ? " @" + s.sourceURL.replace(/[?#].*$/, "").replace(/^.*\\//, "") + ":" + s.sourceCharPosition : "");
          add(m.scripts, what, s.duration);
          if (blocking) add(m.blocking, what, s.duration);
        }
      }
    }).observe({ type: "long-animation-frame", buffered: true });
  } catch {}
  const onFrame = (t) => {
    if (m.last > 0) m.dropped += Math.max(0, Math.round((t - m.last) / (1000 / 60)) - 1);
    m.last = t;
    m.frames++;
    requestAnimationFrame(onFrame);
  };
  requestAnimationFrame(onFrame);
`;

/** A browser context of the size the issue tries pages at, with the recorders in every page. */
export async function meteredContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  // A string, not a function: tsx would wrap named helpers in `__name`, which the page does not have.
  await context.addInitScript({ content: INIT_SCRIPT });
  return context;
}

export interface PageFigures {
  seconds: number;
  tradesPerSecond: number;
  quotesPerSecond: number;
  flushesPerSecond: number;
  frames: number;
  droppedFrames: number;
  longTasks: number;
  longestTaskMs: number;
  /** The long animation frames' scripts, summed by what ran: where the long frames' time went. */
  longFrameScripts: { what: string; ms: number; count: number }[];
  /** Long tasks overlapping the bench's own forced GC (every 10 s), and the longest of those GCs. */
  gcLongTasks: number;
  longestGcMs: number;
  /**
   * The long animation frames holding a long task: how many, their total duration, their style,
   * layout and paint, and their scripts by what ran. What is neither is GC and the browser's own work.
   */
  blocking: {
    frames: number;
    ms: number;
    renderMs: number;
    scripts: { what: string; ms: number; count: number }[];
  };
  /** Main-thread busy share (0..1) from Chromium's TaskDuration, and its parts. */
  busy: number;
  scriptShare: number;
  layoutShare: number;
  styleShare: number;
  /** Main-thread busy ms per 1,000 messages (trades and quotes) taken. */
  busyMsPerThousand: number;
  /**
   * CPU of the browser's dedicated worker threads (the page's live feed runs in one), share of one
   * core, from the kernel's per-thread counters: the work the page moved off its main thread.
   */
  workerCpu: number;
  heapStartMb: number;
  heapEndMb: number;
  heapSlopeMbPerMin: number;
  /** With `profile`: the page's functions with the most self time over the window. */
  profile: SelfTime[] | null;
  /**
   * With `profile`: the main thread's trace events (Chromium's devtools timeline) over the window's
   * first TRACE_SECONDS, by self time: where the native work (style, layout, paint, IPC) goes.
   */
  trace: { what: string; ms: number; count: number }[] | null;
  /**
   * With `taskCpu` (not with `profile`: one trace at a time): the main thread's tasks over the
   * window's first TASK_TRACE_SECONDS, long by wall time and long by the thread's own CPU time.
   */
  taskCpu: TaskCpu | null;
}

interface Sample {
  at: number;
  heap: number;
  stats: { trades: number; quotes: number; flushes: number };
}

type Metrics = Record<"TaskDuration" | "ScriptDuration" | "LayoutDuration" | "RecalcStyleDuration", number>;

async function metrics(cdp: CDPSession): Promise<Metrics> {
  const { metrics: list } = await cdp.send("Performance.getMetrics");
  const m: Record<string, number> = Object.fromEntries(list.map((e) => [e.name, e.value]));
  return {
    TaskDuration: m.TaskDuration ?? 0,
    ScriptDuration: m.ScriptDuration ?? 0,
    LayoutDuration: m.LayoutDuration ?? 0,
    RecalcStyleDuration: m.RecalcStyleDuration ?? 0,
  };
}

/**
 * Measures `page` for `seconds` from now (already loaded and live). `statsPath` names the page's
 * counters object (`{trades, quotes, flushes}`), e.g. `__torghutWatchStore.stats` or `__floor`.
 */
export async function meterPage(
  page: Page,
  statsPath: string,
  seconds: number,
  options: { profile?: boolean; taskCpu?: boolean } = {},
): Promise<PageFigures> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable", { timeDomain: "threadTicks" });
  // A string: evaluated as written (tsx must not wrap anything in it); `gc` needs --expose-gc.
  // The GC's span is noted in the recorders: a long task over it is the bench's, not the page's.
  const read = () =>
    page.evaluate<Sample>(`(() => {
      const t0 = performance.now();
      performance.mark("${BENCH_GC_MARK}");
      globalThis.gc?.();
      performance.clearMarks("${BENCH_GC_MARK}");
      const m = window.__meter;
      if (m !== undefined) {
        m.gcStart = t0;
        m.gcEnd = performance.now();
        m.gcLongest = Math.max(m.gcLongest, m.gcEnd - t0);
      }
      const s = globalThis.${statsPath} ?? { trades: 0, quotes: 0, flushes: 0 };
      return {
        at: performance.now(),
        heap: (performance.memory?.usedJSHeapSize ?? NaN) / 1024 / 1024,
        stats: { trades: s.trades, quotes: s.quotes, flushes: s.flushes },
      };
    })()`);
  const first = await read();
  await page.evaluate("window.__meter.reset()");
  const m0 = await metrics(cdp);
  const workers0 = workerThreadsCpuMs();
  if (options.profile === true) {
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
    await cdp.send("Profiler.start");
  }
  const trace = options.profile === true ? mainThreadTrace(page, TRACE_SECONDS) : Promise.resolve(null);
  const taskCpu =
    options.taskCpu === true
      ? taskCpuTrace(page, Math.min(seconds, TASK_TRACE_SECONDS))
      : Promise.resolve(null);
  const heap: { at: number; mb: number }[] = [{ at: first.at, mb: first.heap }];
  for (let left = seconds; left > 0; left -= 10) {
    await page.waitForTimeout(Math.min(10, left) * 1000);
    const sample = await read();
    heap.push({ at: sample.at, mb: sample.heap });
  }
  const last = await read();
  const m1 = await metrics(cdp);
  const workers1 = workerThreadsCpuMs();
  const profile =
    options.profile === true
      ? topSelfTime(
          ((await cdp.send("Profiler.stop")) as { profile: Parameters<typeof topSelfTime>[0] }).profile,
          20,
        )
      : null;
  await cdp.detach();
  const window = await windowFigures(page);
  const elapsed = (last.at - first.at) / 1000;
  const messages = last.stats.trades - first.stats.trades + (last.stats.quotes - first.stats.quotes);
  const busyMs = (m1.TaskDuration - m0.TaskDuration) * 1000;
  return {
    seconds: elapsed,
    tradesPerSecond: (last.stats.trades - first.stats.trades) / elapsed,
    quotesPerSecond: (last.stats.quotes - first.stats.quotes) / elapsed,
    flushesPerSecond: (last.stats.flushes - first.stats.flushes) / elapsed,
    ...window,
    busy: busyMs / 1000 / elapsed,
    scriptShare: (m1.ScriptDuration - m0.ScriptDuration) / elapsed,
    layoutShare: (m1.LayoutDuration - m0.LayoutDuration) / elapsed,
    styleShare: (m1.RecalcStyleDuration - m0.RecalcStyleDuration) / elapsed,
    busyMsPerThousand: messages > 0 ? (busyMs / messages) * 1000 : Number.NaN,
    workerCpu:
      [...workers1].reduce((sum, [tid, ms]) => sum + ms - (workers0.get(tid) ?? 0), 0) / 1000 / elapsed,
    heapStartMb: heap[0]!.mb,
    heapEndMb: heap.at(-1)!.mb,
    heapSlopeMbPerMin: slope(heap) * 60_000,
    profile,
    trace: await trace,
    taskCpu: await taskCpu,
  };
}

type WindowFigures = Pick<
  PageFigures,
  | "frames"
  | "droppedFrames"
  | "longTasks"
  | "longestTaskMs"
  | "longFrameScripts"
  | "gcLongTasks"
  | "longestGcMs"
  | "blocking"
>;

type Totals = Record<string, { ms: number; count: number }>;
const top = (totals: Totals) =>
  Object.entries(totals)
    .map(([what, e]) => ({ what, ...e }))
    .sort((x, y) => y.ms - x.ms)
    .slice(0, 6);

/** Frames, long tasks and long-frame scripts since the recorders' last reset (the window's start). */
async function windowFigures(page: Page): Promise<WindowFigures> {
  const m = await page.evaluate<{
    frames: number;
    dropped: number;
    longTasks: number;
    longest: number;
    scripts: Totals;
    gcTasks: number;
    gcLongest: number;
    blocking: Totals;
    blockingFrames: number;
    blockingMs: number;
    blockingRenderMs: number;
  }>(
    `(({ frames, dropped, longTasks, longest, scripts, gcTasks, gcLongest, blocking, blockingFrames, blockingMs, blockingRenderMs }) =>
      ({ frames, dropped, longTasks, longest, scripts, gcTasks, gcLongest, blocking, blockingFrames, blockingMs, blockingRenderMs }))(window.__meter)`,
  );
  return {
    frames: m.frames,
    droppedFrames: m.dropped,
    longTasks: m.longTasks,
    longestTaskMs: m.longest,
    longFrameScripts: top(m.scripts),
    gcLongTasks: m.gcTasks,
    longestGcMs: m.gcLongest,
    blocking: {
      frames: m.blockingFrames,
      ms: m.blockingMs,
      renderMs: m.blockingRenderMs,
      scripts: top(m.blocking),
    },
  };
}

/** Least-squares slope of heap MB over ms. */
export function slope(points: readonly { at: number; mb: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p.at, 0) / n;
  const my = points.reduce((s, p) => s + p.mb, 0) / n;
  const num = points.reduce((s, p) => s + (p.at - mx) * (p.mb - my), 0);
  const den = points.reduce((s, p) => s + (p.at - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

/** One page's figures as the bench prints them (two lines, plus the attribution when there is any). */
export function describePage(label: string, f: PageFigures): string[] {
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  const dropped = (f.droppedFrames / Math.max(1, f.frames + f.droppedFrames)) * 100;
  const lines = [
    `  ${label}: ${f.tradesPerSecond.toFixed(0)} trades/s + ${f.quotesPerSecond.toFixed(0)} quotes/s taken ` +
      `over ${f.seconds.toFixed(0)} s · main thread busy ${pct(f.busy)} (script ${pct(f.scriptShare)}, ` +
      `style ${pct(f.styleShare)}, layout ${pct(f.layoutShare)}) = ${f.busyMsPerThousand.toFixed(1)} ms per 1,000 messages`,
    `    long tasks > 50 ms: ${f.longTasks} (longest ${f.longestTaskMs.toFixed(0)} ms) · frames ${f.frames}, ` +
      `dropped ${f.droppedFrames} (${dropped.toFixed(1)}%) · ${f.flushesPerSecond.toFixed(1)} renders/s · ` +
      `JS heap after GC ${f.heapStartMb.toFixed(1)} → ${f.heapEndMb.toFixed(1)} MB (${f.heapSlopeMbPerMin.toFixed(2)} MB/min)`,
  ];
  if (f.workerCpu > 0) {
    const thousands = ((f.tradesPerSecond + f.quotesPerSecond) * f.seconds) / 1000;
    lines.push(
      `    off the main thread: worker threads CPU ${pct(f.workerCpu)} = ` +
        `${((f.workerCpu * f.seconds * 1000) / thousands).toFixed(1)} ms per 1,000 messages`,
    );
  }
  lines.push(
    `    of the long tasks, ${f.gcLongTasks} overlap the bench's forced GC (longest forced GC ${f.longestGcMs.toFixed(0)} ms); ` +
      `frames holding a long task: ${f.blocking.frames}, ${f.blocking.ms.toFixed(0)} ms, of it style/layout/paint ` +
      `${f.blocking.renderMs.toFixed(0)} ms`,
  );
  if (f.taskCpu !== null) lines.push(describeTaskCpu(f.taskCpu));
  for (const s of f.blocking.scripts)
    lines.push(`    in frames with a long task: ${s.ms.toFixed(0)} ms over ${s.count}× ${s.what}`);
  for (const s of f.longFrameScripts)
    lines.push(`    in long frames: ${s.ms.toFixed(0)} ms over ${s.count}× ${s.what}`);
  for (const t of f.trace ?? [])
    lines.push(
      `    trace (first ${TRACE_SECONDS} s, main thread self time) ${t.ms.toFixed(0).padStart(5)} ms over ${t.count}× ${t.what}`,
    );
  for (const p of f.profile ?? []) lines.push(`    profile ${p.percent.toFixed(1).padStart(5)}%  ${p.fn}`);
  return lines;
}

/** The task CPU trace's line. */
export function describeTaskCpu(t: TaskCpu): string {
  return (
    `    main-thread tasks, first ${t.seconds} s (Chromium's trace): over 50 ms of wall time ${t.longByWall}, ` +
    `with ${t.longCpuMs.toFixed(0)} ms of CPU in their ${t.longWallMs.toFixed(0)} ms; ` +
    `over 50 ms of the thread's own CPU time ${t.longByCpu} (longest ${t.longestCpuMs.toFixed(0)} ms); ` +
    `${t.benchGcTasks} tasks of the bench's forced GC left out`
  );
}
