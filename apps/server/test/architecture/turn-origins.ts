import { createHook, executionAsyncId } from "node:async_hooks";

/** A stack deep enough to reach the socket's message handler (V8 keeps 10 frames by default). */
export function deepStack(): string {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 200;
  const stack = new Error().stack ?? "";
  Error.stackTraceLimit = limit;
  return stack;
}

/** Where the running turn was scheduled from: the kind of hop and the stack that made it. */
export interface TurnOrigin {
  type: string;
  stack: string;
}

const HOPS = new Set(["Microtask", "Immediate", "Timeout"]);

/**
 * Remembers, while enabled, the stack that scheduled each later turn (a microtask, an immediate, a
 * timer) when `keep` wants it, so code running on that turn can see how it was reached: a stack
 * trace alone ends at the event loop, and the fan-out writes on a later turn than the trade came in.
 */
export class TurnOrigins {
  private readonly origins = new Map<number, TurnOrigin>();
  private readonly hook = createHook({
    init: (asyncId, type) => {
      if (!HOPS.has(type)) return;
      const stack = deepStack();
      if (this.keep(stack)) this.origins.set(asyncId, { type, stack });
    },
    destroy: (asyncId) => void this.origins.delete(asyncId),
  });

  constructor(private readonly keep: (stack: string) => boolean) {}

  enable(): void {
    this.hook.enable();
  }

  disable(): void {
    this.hook.disable();
    this.origins.clear();
  }

  /** The origin of the turn running now, if it was kept. */
  current(): TurnOrigin | null {
    return this.origins.get(executionAsyncId()) ?? null;
  }
}
