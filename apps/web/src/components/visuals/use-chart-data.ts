"use client";
import { useEffect, useState } from "react";
import { barsResponse, barsUrl, getJson, signalsResponse, signalsUrl } from "@/lib/api";
import type { Candle } from "@/lib/bar-builder";
import { INDICATORS, linesFor, type IndicatorKey, type IndicatorLine } from "./indicators";

export type BarsState =
  { status: "loading" } | { status: "ok"; candles: Candle[] } | { status: "error"; message: string };

/** Candles for (symbol, interval) from `/api/torghut/ta/bars`. */
/** `fromMs` undefined: the API's default range for the interval. */
export function useBars(symbol: string, interval: string, fromMs?: number): BarsState {
  const [state, setState] = useState<BarsState>({ status: "loading" });
  useEffect(() => {
    let cancelled = false;
    setState({ status: "loading" });
    // Default cache mode so the request can take over the page's <link rel=preload> (the API answers no-store).
    getJson(barsUrl(symbol, interval, fromMs), barsResponse, { cache: "default" }).then(
      ({ bars }) => {
        if (cancelled) return;
        const candles = bars.map((b) => ({
          time: Math.floor(Date.parse(b.time) / 1000),
          open: b.open,
          high: b.high,
          low: b.low,
          close: b.close,
        }));
        setState({ status: "ok", candles });
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
  return state;
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
      getJson(signalsUrl(symbol, interval, spec, fromMs), signalsResponse).then(
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
