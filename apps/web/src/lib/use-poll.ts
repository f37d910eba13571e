"use client";
import { useEffect, useRef, useState } from "react";

export interface PollState<T> {
  data: T | undefined;
  error: Error | undefined;
  /** Increments on every completed poll, successful or not (tests and pills read it). */
  samples: number;
}

/**
 * Polls `load` every `intervalMs` while mounted; a poll never overlaps the previous one. The last
 * good value is kept through errors so the page can show both the value and what went wrong.
 */
export function usePoll<T>(
  load: (() => Promise<T>) | null,
  intervalMs: number,
  deps: readonly unknown[],
): PollState<T> {
  const [state, setState] = useState<PollState<T>>({ data: undefined, error: undefined, samples: 0 });
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    setState({ data: undefined, error: undefined, samples: 0 });
    if (loadRef.current === null) return;
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async (): Promise<void> => {
      const run = loadRef.current;
      if (run === null) return;
      try {
        const data = await run();
        if (!cancelled) setState((s) => ({ data, error: undefined, samples: s.samples + 1 }));
      } catch (error) {
        if (!cancelled)
          setState((s) => ({
            data: s.data,
            error: error instanceof Error ? error : new Error(String(error)),
            samples: s.samples + 1,
          }));
      }
      if (!cancelled) timer = setTimeout(() => void tick(), intervalMs);
    };
    void tick();
    return () => {
      cancelled = true;
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [intervalMs, ...deps]);
  return state;
}

/** Re-renders every `ms` so "Xs ago" labels and staleness stay current between data updates. */
export function useNow(ms: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}
