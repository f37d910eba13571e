// Chromium's trace of the browser for a while, and the busiest renderer main thread's complete
// events in it: what the main-thread trace (by self time) and the task CPU trace both read.
import type { Page } from "@playwright/test";

export interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  /** The CPU time the thread ran during the event (the thread's clock), where the platform has it. */
  tdur?: number;
  args?: { name?: string };
}

export interface RendererTrace {
  /** Every event of the trace, every process and thread. */
  all: TraceEvent[];
  /** The complete ("X") events of the renderer main thread with the most of them, in trace order. */
  main: TraceEvent[];
}

/** Traces `categories` for `seconds`; null where the page has no browser to trace. */
export async function traceRendererMain(
  page: Page,
  seconds: number,
  categories: string[],
): Promise<RendererTrace | null> {
  const browser = page.context().browser();
  if (browser === null) return null;
  await browser.startTracing(page, { categories });
  await page.waitForTimeout(seconds * 1000);
  const all = (JSON.parse((await browser.stopTracing()).toString("utf8")) as { traceEvents: TraceEvent[] })
    .traceEvents;
  const mains = new Set(
    all
      .filter((e) => e.ph === "M" && e.name === "thread_name" && e.args?.name === "CrRendererMain")
      .map((e) => `${e.pid}:${e.tid}`),
  );
  const byThread = new Map<string, TraceEvent[]>();
  for (const e of all) {
    const key = `${e.pid}:${e.tid}`;
    if (e.ph !== "X" || e.dur === undefined || !mains.has(key)) continue;
    (byThread.get(key) ?? byThread.set(key, []).get(key)!).push(e);
  }
  const main = [...byThread.values()].sort((a, b) => b.length - a.length)[0] ?? [];
  return { all, main };
}
