"use client";
import { barsResponseSchema, signalsResponseSchema } from "@torghut/contracts";
import { useEffect, useRef, useState } from "react";
import { barsUrl, getJson, signalsUrl } from "@/lib/api";
import {
  fromCandleColumns,
  prependBars,
  toChartBars,
  type ChartBars,
  type InitialBars,
} from "@/lib/candle-columns";
import type { Candle } from "@/lib/bar-builder";
import { INDICATORS, linesFor, type IndicatorKey, type IndicatorLine } from "./indicators";

export type BarsState =
  | { status: "loading" }
  | ({ status: "ok"; candles: Candle[] } & ChartBars)
  | { status: "error"; message: string };

/** The bars the page's server component is fetching for the URL's symbol, interval and range. */
export interface InitialBarsFor {
  symbol: string;
  interval: string;
  fromMs: number | undefined;
  bars: Promise<InitialBars>;
}

/**
 * Candles for (symbol, interval); `fromMs` undefined: the API's default range for the interval. The
 * first load takes `initial` (streamed with the page) when it is for the same chart; every later
 * change fetches `/api/torghut/ta/bars` from the browser.
 */
export function useBars(
  symbol: string,
  interval: string,
  fromMs: number | undefined,
  initial?: InitialBarsFor,
): [BarsState, (older: ChartBars) => void] {
  const [state, setState] = useState<BarsState>({ status: "loading" });
  const pending = useRef(initial);
  useEffect(() => {
    let cancelled = false;
    setState({ status: "loading" });
    const first = pending.current;
    // Dropped once the chart shows anything else: coming back to the first symbol fetches fresh bars.
    // Kept until then so that a re-run of this effect (React's strict mode) reuses it.
    const same = first?.symbol === symbol && first.interval === interval && first.fromMs === fromMs;
    if (!same) pending.current = undefined;
    const load: Promise<BarsState> =
      first !== undefined && same
        ? // A promise from the server component: resolves when its part of the page's stream arrives.
          Promise.resolve(first.bars).then((result) =>
            result.status === "ok"
              ? { status: "ok", ...fromCandleColumns(result.columns) }
              : { status: "error", message: result.message },
          )
        : getJson(barsUrl(symbol, interval, fromMs), barsResponseSchema).then(({ bars }) => ({
            status: "ok",
            ...toChartBars(bars),
          }));
    load.then(
      (next) => {
        if (!cancelled) setState(next);
      },
      (error: unknown) => {
        if (!cancelled)
          setState({ status: "error", message: error instanceof Error ? error.message : String(error) });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [symbol, interval, fromMs]);
  return [
    state,
    (older: ChartBars) =>
      setState((current) =>
        current.status === "ok" ? { status: "ok", ...prependBars(older, current) } : current,
      ),
  ];
}

export interface IndicatorState {
  lines: Partial<Record<IndicatorKey, IndicatorLine[]>>;
  points: Partial<Record<IndicatorKey, number>>;
  errors: Partial<Record<IndicatorKey, string>>;
}

/** One `/api/torghut/ta/signals` call per enabled indicator, refetched when the chart reloads. */
export function useIndicators(
  symbol: string,
  interval: string,
  enabled: readonly IndicatorKey[],
  reload: unknown,
  fromMs?: number,
): IndicatorState {
  const [state, setState] = useState<IndicatorState>({ lines: {}, points: {}, errors: {} });
  const key = enabled.join(",");
  useEffect(() => {
    let cancelled = false;
    const keys = key === "" ? [] : (key.split(",") as IndicatorKey[]);
    setState((s) => ({
      lines: Object.fromEntries(keys.filter((k) => s.lines[k]).map((k) => [k, s.lines[k]])),
      points: Object.fromEntries(keys.filter((k) => s.points[k] !== undefined).map((k) => [k, s.points[k]])),
      errors: {},
    }));
    for (const k of keys) {
      const spec = INDICATORS.find((i) => i.key === k)!.spec;
      getJson(signalsUrl(symbol, interval, spec, fromMs), signalsResponseSchema).then(
        ({ indicators }) => {
          if (cancelled) return;
          const indicator = indicators[0];
          const lines = indicator === undefined ? [] : linesFor(k, indicator);
          setState((s) => ({
            lines: { ...s.lines, [k]: lines },
            points: { ...s.points, [k]: indicator?.points.length ?? 0 },
            errors: { ...s.errors, [k]: undefined },
          }));
        },
        (error: unknown) => {
          if (cancelled) return;
          const message = error instanceof Error ? error.message : String(error);
          setState((s) => ({ ...s, errors: { ...s.errors, [k]: message } }));
        },
      );
    }
    return () => {
      cancelled = true;
    };
  }, [symbol, interval, key, reload, fromMs]);
  return state;
}
