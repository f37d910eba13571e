// The busiest renderer main thread's trace events by self time (`npm run bench -- ui --profile`):
// where a page's native work (style, layout, paint, IPC) goes, which a JavaScript profile shows only
// as "(program)".
import type { Page } from "@playwright/test";

/** How much of a window the trace covers: a trace of a whole minute is hundreds of megabytes. */
export const TRACE_SECONDS = 5;

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  args?: { name?: string };
}

/**
 * A devtools-timeline trace of the browser for `seconds`, reduced to the busiest renderer main
 * thread's complete events by self time (an event's duration less its children's).
 */
export async function mainThreadTrace(
  page: Page,
  seconds: number,
): Promise<{ what: string; ms: number; count: number }[] | null> {
  const browser = page.context().browser();
  if (browser === null) return null;
  await browser.startTracing(page, {
    categories: ["devtools.timeline", "disabled-by-default-devtools.timeline", "v8", "blink"],
  });
  await page.waitForTimeout(seconds * 1000);
  const events = (JSON.parse((await browser.stopTracing()).toString("utf8")) as { traceEvents: TraceEvent[] })
    .traceEvents;
  const mains = new Set(
    events
      .filter((e) => e.ph === "M" && e.name === "thread_name" && e.args?.name === "CrRendererMain")
      .map((e) => `${e.pid}:${e.tid}`),
  );
  const byThread = new Map<string, TraceEvent[]>();
  for (const e of events) {
    const key = `${e.pid}:${e.tid}`;
    if (e.ph !== "X" || e.dur === undefined || !mains.has(key)) continue;
    (byThread.get(key) ?? byThread.set(key, []).get(key)!).push(e);
  }
  const busiest = [...byThread.values()].sort((a, b) => b.length - a.length)[0] ?? [];
  busiest.sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const totals: Record<string, { ms: number; count: number }> = {};
  const stack: { end: number; entry: { name: string; self: number } }[] = [];
  const done: { name: string; self: number }[] = [];
  for (const e of busiest) {
    while (stack.length > 0 && stack.at(-1)!.end <= e.ts) stack.pop();
    const parent = stack.at(-1);
    if (parent !== undefined) parent.entry.self -= e.dur!;
    const entry = { name: e.name, self: e.dur! };
    done.push(entry);
    stack.push({ end: e.ts + e.dur!, entry });
  }
  for (const entry of done) {
    const total = (totals[entry.name] ??= { ms: 0, count: 0 });
    total.ms += Math.max(0, entry.self) / 1000;
    total.count++;
  }
  return Object.entries(totals)
    .map(([what, t]) => ({ what, ...t }))
    .sort((x, y) => y.ms - x.ms)
    .slice(0, 14);
}
