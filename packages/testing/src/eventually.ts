import { inspect } from "node:util";

/** What a check must not return to count as done. */
type Falsy = false | 0 | 0n | "" | null | undefined;

export interface EventuallyOptions {
  /** Deadline, from the first check. */
  timeoutMs?: number;
  /** Runs before every check, e.g. to advance a ManualClock or the simulator's manual time. */
  pump?: () => void;
}

export const DEFAULT_EVENTUALLY_TIMEOUT_MS = 5_000;
const POLL_INTERVAL_MS = 5;

export class EventuallyTimeoutError extends Error {
  override readonly name = "EventuallyTimeoutError";
}

/**
 * Polls `check` (sync or async) until it returns a truthy value and resolves to that value, or
 * rejects at the deadline naming `what` and the last value or error seen. A check that throws is
 * retried (an upstream may not be listening yet); only the deadline ends the wait, never a sleep.
 * `options` may be just the timeout in milliseconds.
 */
export async function eventually<T>(
  check: () => T | PromiseLike<T>,
  what: string,
  options: number | EventuallyOptions = {},
): Promise<Exclude<T, Falsy>> {
  const { timeoutMs = DEFAULT_EVENTUALLY_TIMEOUT_MS, pump } =
    typeof options === "number" ? { timeoutMs: options } : options;
  const deadline = Date.now() + timeoutMs;
  let last: { value: unknown } | { error: unknown };
  for (;;) {
    try {
      pump?.();
      const value = await check();
      if (value) return value as Exclude<T, Falsy>;
      last = { value };
    } catch (error) {
      last = { error };
    }
    if (Date.now() > deadline) {
      const seen =
        "error" in last
          ? `last error: ${last.error instanceof Error ? last.error.message : describe(last.error)}`
          : `last value: ${describe(last.value)}`;
      throw new EventuallyTimeoutError(`timed out after ${timeoutMs} ms waiting for ${what} (${seen})`, {
        cause: "error" in last ? last.error : undefined,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

function describe(value: unknown): string {
  return inspect(value, { depth: 2, breakLength: Infinity, maxArrayLength: 5, maxStringLength: 200 });
}
