import { setInterval as every } from "node:timers/promises";

/**
 * Runs `sample` every `intervalMs` for `forMs` (the dual of `eventually`: an invariant watched over a
 * window, e.g. "the feed keeps flowing through the whole outage", not a wait for one moment). Each
 * sample may assert; a throw ends the watch at once. Resolves with every sample's value.
 */
export async function throughout<T>(
  sample: () => T | PromiseLike<T>,
  options: { forMs: number; intervalMs: number },
): Promise<T[]> {
  const end = Date.now() + options.forMs;
  const values: T[] = [await sample()];
  for await (const _ of every(options.intervalMs)) {
    if (Date.now() >= end) break;
    values.push(await sample());
  }
  return values;
}
