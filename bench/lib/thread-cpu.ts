// CPU of the browser's worker threads, from the kernel's per-thread counters (/proc): work a page
// moved off its main thread, which Chromium's main-thread metrics do not see.
import { readdirSync, readFileSync } from "node:fs";

/** CLK_TCK on Linux: /proc's utime and stime count hundredths of a second. */
const TICK_MS = 10;

/**
 * CPU ms of every browser thread named DedicatedWorker (Chromium's name for a page's worker thread;
 * the kernel keeps 15 characters of it), by thread id. Empty where there is no /proc.
 */
export function workerThreadsCpuMs(): Map<string, number> {
  const cpu = new Map<string, number>();
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return cpu;
  }
  for (const pid of pids) {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        if (!readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").startsWith("DedicatedWorker")) continue;
        // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        cpu.set(tid, (Number(fields[11]) + Number(fields[12])) * TICK_MS);
      } catch {
        // The thread ended between the listing and the read.
      }
    }
  }
  return cpu;
}
