// The busiest renderer main thread's trace events by self time (`npm run bench -- ui --profile`):
// where a page's native work (style, layout, paint, IPC) goes, which a JavaScript profile shows only
// as "(program)".
import type { Page } from "@playwright/test";
import { traceRendererMain } from "./renderer-trace";

/** How much of a window the trace covers: a trace of a whole minute is hundreds of megabytes. */
export const TRACE_SECONDS = 5;

/**
 * A devtools-timeline trace of the browser for `seconds`, reduced to the busiest renderer main
 * thread's complete events by self time (an event's duration less its children's).
 */
export async function mainThreadTrace(
  page: Page,
  seconds: number,
): Promise<{ what: string; ms: number; count: number }[] | null> {
  const trace = await traceRendererMain(page, seconds, [
    "devtools.timeline",
    "disabled-by-default-devtools.timeline",
    "v8",
    "blink",
  ]);
  if (trace === null) return null;
  const busiest = trace.main;
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
