// The renderer main thread's tasks from Chromium's own trace, with each task's wall time and the
// CPU time the thread actually ran in it (`tdur`, from the kernel's thread clock). A long task
// (> 50 ms of wall time) whose CPU time is far below 50 ms was not the page's work: the thread was
// descheduled in it — on a 2-core box, by the feed process, the stack and Chromium's other threads.
import type { Page } from "@playwright/test";
import { traceRendererMain, type TraceEvent } from "./renderer-trace";

/**
 * How much of a window the task trace covers: the top-level tasks of every thread add up (a trace of
 * 30 s took the browser process to 60 % of a core and the bench to 2 GB).
 */
export const TASK_TRACE_SECONDS = 20;

/** The `performance.mark` the meter sets before its forced GC: tasks holding it are the bench's. */
export const BENCH_GC_MARK = "torghut-bench-gc";

const LONG_MS = 50;

export interface TaskCpu {
  seconds: number;
  /** Tasks left out: those running the bench's own forced GC (meterPage's read, every 10 s). */
  benchGcTasks: number;
  /** Main-thread tasks over 50 ms of wall time (what the page's `longtask` observer counts). */
  longByWall: number;
  /** Main-thread tasks whose own CPU time was over 50 ms: the page's work, whatever the box did. */
  longByCpu: number;
  /** Over the long-by-wall tasks: their wall time and the CPU time the thread ran in them. */
  longWallMs: number;
  longCpuMs: number;
  /** The longest task by CPU time. */
  longestCpuMs: number;
  /** All the tasks' CPU time. */
  totalCpuMs: number;
  /**
   * The tasks of at least REPLAYED_MIN_CPU_MS, flat: [offset from the first task, CPU time, …] in ms —
   * what the replay page (ui-replay-page.ts) runs to find the box's floor for these tasks.
   */
  tasks: number[];
}

/** Shorter tasks are left out of the replay: their scheduling would cost more than their work. */
const REPLAYED_MIN_CPU_MS = 0.1;

/** Traces the browser's top-level tasks for `seconds`; the busiest renderer main thread's long tasks. */
export async function taskCpuTrace(page: Page, seconds: number): Promise<TaskCpu | null> {
  const trace = await traceRendererMain(page, seconds, ["toplevel", "blink.user_timing"]);
  if (trace === null) return null;
  const gcMarks = trace.all.filter((e) => e.name === BENCH_GC_MARK).map((e) => e.ts);
  const byBench = (task: TraceEvent) =>
    gcMarks.some((at) => at >= task.ts && at <= task.ts + (task.dur ?? 0));
  const tasks = trace.main
    .filter((t) => t.name === "ThreadControllerImpl::RunTask" && !byBench(t))
    .sort((a, b) => a.ts - b.ts);
  const figures: TaskCpu = {
    seconds,
    benchGcTasks: gcMarks.length,
    longByWall: 0,
    longByCpu: 0,
    longWallMs: 0,
    longCpuMs: 0,
    longestCpuMs: 0,
    totalCpuMs: 0,
    tasks: [],
  };
  const origin = tasks[0]?.ts ?? 0;
  for (const task of tasks) {
    const wallMs = (task.dur ?? 0) / 1000;
    const cpuMs = (task.tdur ?? task.dur ?? 0) / 1000;
    figures.longestCpuMs = Math.max(figures.longestCpuMs, cpuMs);
    figures.totalCpuMs += cpuMs;
    if (cpuMs >= REPLAYED_MIN_CPU_MS)
      figures.tasks.push(Math.round((task.ts - origin) / 10) / 100, Math.round(cpuMs * 100) / 100);
    if (cpuMs > LONG_MS) figures.longByCpu++;
    if (wallMs <= LONG_MS) continue;
    figures.longByWall++;
    figures.longWallMs += wallMs;
    figures.longCpuMs += cpuMs;
  }
  return figures;
}
