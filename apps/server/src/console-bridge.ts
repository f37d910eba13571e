import { format } from "node:util";
import type { Logger } from "./logger";

type ConsoleMethod = "log" | "info" | "debug" | "trace" | "warn" | "error" | "dir";

/** The pino level each console method is written at. */
const LEVELS: Record<ConsoleMethod, "debug" | "info" | "warn" | "error"> = {
  log: "info",
  info: "info",
  debug: "debug",
  trace: "debug",
  dir: "debug",
  warn: "warn",
  error: "error",
};

/**
 * Routes this thread's `console` through the logger, so that every line the process writes is one
 * JSON log line. Our code logs with pino; this is for libraries that print on their own
 * (yahoo-finance2 writes `console.error(url)` for every non-2xx answer, and `console.log` on some
 * odd chart payloads), which would otherwise put bare text between the JSON lines that log
 * pipelines parse. Each thread has its own `console`: the ingest thread installs it too.
 * Returns a function that puts the original methods back.
 */
export function routeConsoleToLogger(logger: Logger): () => void {
  const log = logger.child({ component: "console" });
  const original = new Map<ConsoleMethod, PropertyDescriptor | undefined>();
  for (const method of Object.keys(LEVELS) as ConsoleMethod[]) {
    original.set(method, Object.getOwnPropertyDescriptor(console, method));
    const level = LEVELS[method];
    // console.dir(object, inspectOptions): the second argument is how to print, not what.
    console[method] = (...args: unknown[]) =>
      log[level](method === "dir" ? format(args[0]) : format(...args));
  }
  return () => {
    for (const [method, descriptor] of original)
      if (descriptor !== undefined) Object.defineProperty(console, method, descriptor);
  };
}
