"use client";
import { barsResponseSchema, latestPriceResponseSchema, symbolListResponseSchema } from "@torghut/contracts";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { PublicSettings } from "@/config";
import { barsUrl, getJson, latestUrl } from "@/lib/api";
import { INTERVAL_SECONDS, type ChartInterval } from "@/lib/bar-builder";
import { toChartBars, type ChartBars, type InitialBars } from "@/lib/candle-columns";
import { useFeedState } from "@/lib/live/use-market-feed";
import { usePoll } from "@/lib/use-poll";
import { LivePill } from "../shell/live-pill";
import { CandleChart, type CompareLine } from "./candle-chart";
import { ChartToolbar } from "./chart-toolbar";
import {
  chartViewQuery,
  MAX_RANGE_MS,
  RANGES,
  rangeFromMs,
  type ChartView,
  type RangeKey,
} from "./chart-view";
import { INDICATORS, type IndicatorKey } from "./indicators";
import { LagPill } from "./lag-pill";
import { ProvenanceKey } from "./provenance-key";
import { useBars, useIndicators } from "./use-chart-data";
import { useLiveCandles } from "./use-live-candles";

interface Props {
  settings: PublicSettings;
  initialView: ChartView;
  /** Start of the history to load (from `?range=` or `?days=`); default: the API's range for the interval. */
  initialFromMs?: number;
  /** The first chart's bars, fetched by the server component and streamed with the page. */
  initialBars?: Promise<InitialBars>;
}

const EMPTY: ChartBars = { candles: [], volume: [], provenance: [] };

/** `/torghut/visuals`: candles, volume, provenance, indicators, compare, lag pill and live dot. */
export function Visuals({ settings, initialView, initialFromMs, initialBars }: Props) {
  const [view, setView] = useState(initialView);
  const [fromMs, setFromMs] = useState(initialFromMs);
  const { symbol, interval } = view;
  const feed = useFeedState();
  const [bars, prepend] = useBars(
    symbol,
    interval,
    fromMs,
    initialBars && {
      symbol: initialView.symbol,
      interval: initialView.interval,
      fromMs: initialFromMs,
      bars: initialBars,
    },
  );
  const chartBars = useMemo(() => (bars.status === "ok" ? bars : EMPTY), [bars]);
  const firstBarMs = chartBars.candles.length > 0 ? chartBars.candles[0]!.time * 1000 : undefined;
  const indicators = useIndicators(symbol, interval, view.indicators, bars, firstBarMs ?? fromMs);
  // Everything else (symbol list, latest-price polling, the live feed and its client library) starts
  // once the first candles are painted, or once it is clear there are none to paint.
  const [started, setStarted] = useState(false);
  const nothingToPaint = bars.status === "error" || (bars.status === "ok" && bars.candles.length === 0);
  const onFirstPaint = useCallback(() => setStarted(true), []);
  useEffect(() => {
    if (nothingToPaint) setStarted(true);
  }, [nothingToPaint]);
  const symbols = usePoll(started ? () => getJson("/api/symbols", symbolListResponseSchema) : null, 60_000, [
    started,
  ]);
  const latest = usePoll(
    started ? () => getJson(latestUrl(symbol), latestPriceResponseSchema) : null,
    1_000,
    [symbol, started],
  );
  const live = useLiveCandles(symbol, latest.data, feed.state === "live", started);
  const compare = useCompare(view.compare, interval, firstBarMs);
  const older = useOlderBars(symbol, interval, bars.status === "ok" ? bars : null, prepend);
  // `npm run bench -- ui` reads this as "hydration done": React has committed the page.
  useEffect(() => void performance.mark("torghut:hydrated"), []);

  /**
   * Every change goes to the URL (the browser's history only: a router navigation would render the
   * page on the server and fetch the bars a second time). `days` stays until a range is chosen.
   */
  const update = (next: Partial<ChartView>, nextFromMs: number | undefined = fromMs): void => {
    const merged = { ...view, ...next };
    setView(merged);
    setFromMs(nextFromMs);
    const days = new URLSearchParams(window.location.search).get("days");
    window.history.replaceState(null, "", `/torghut/visuals?${chartViewQuery(merged, days)}`);
  };
  const chooseSymbol = (next: string) => update({ symbol: next.trim().toUpperCase() });
  const chooseInterval = (next: ChartInterval) => {
    // A range the interval cannot serve in one answer is shortened to what it can.
    const span = fromMs === undefined ? undefined : Date.now() - fromMs;
    update(
      { interval: next },
      span !== undefined && span > MAX_RANGE_MS[next]
        ? rangeFromMs(view.range ?? "1Y", next, Date.now())
        : fromMs,
    );
  };
  const chooseRange = (range: RangeKey) => {
    const nextInterval = RANGES[range].interval;
    update({ range, interval: nextInterval }, rangeFromMs(range, nextInterval, Date.now()));
  };
  const toggle = (key: IndicatorKey, on: boolean): void =>
    update({
      indicators: on
        ? INDICATORS.map((i) => i.key).filter((k) => k === key || view.indicators.includes(k))
        : view.indicators.filter((k) => k !== key),
    });

  const known = symbols.data?.symbols.map((s) => s.symbol) ?? [];
  const errors = [
    bars.status === "error" ? `Bars: ${bars.message}` : null,
    latest.error !== undefined ? `Latest price: ${latest.error.message}` : null,
    compare.error !== null ? `Compare ${view.compare}: ${compare.error}` : null,
    older.error !== null ? `Older bars: ${older.error}` : null,
    ...Object.entries(indicators.errors).map(([k, m]) => (m ? `Signals (${k}): ${m}` : null)),
  ].filter((e): e is string => e !== null);

  return (
    <>
      <ChartToolbar
        view={view}
        known={known}
        onSymbol={chooseSymbol}
        onInterval={chooseInterval}
        onRange={chooseRange}
        onCompare={(c) => update({ compare: c })}
        onToggle={toggle}
        indicatorPoints={indicators.points}
      >
        <LagPill latest={latest.data} samples={latest.samples} thresholdMs={settings.lagThresholdMs} />
        <LivePill />
      </ChartToolbar>
      {errors.length > 0 ? (
        <div className="banner banner-error" role="alert" data-testid="error-banner">
          {errors.map((e) => (
            <div key={e}>{e}</div>
          ))}
        </div>
      ) : null}
      {bars.status === "ok" && bars.candles.length === 0 ? (
        <div className="banner banner-info" data-testid="no-data">
          No data for {symbol} ({interval}) in this range: no bars have been stored for it yet.
        </div>
      ) : null}
      <div
        data-testid="chart-state"
        data-status={bars.status}
        data-candles={chartBars.candles.length}
        data-first-time={chartBars.candles[0]?.time ?? ""}
        data-older={older.state}
      />
      {bars.status === "loading" ? (
        <div className="chart-loading muted" data-testid="chart-loading" aria-busy="true">
          Loading {symbol} {interval}…
        </div>
      ) : null}
      <CandleChart
        bars={chartBars}
        intervalSeconds={INTERVAL_SECONDS[interval]}
        overlays={indicators.lines}
        live={bars.status === "ok" ? live : null}
        compare={compare.line}
        onFirstPaint={onFirstPaint}
        onNeedOlder={older.load}
      />
      <ProvenanceKey provenance={chartBars.provenance} />
    </>
  );
}

/** The compared symbol's closes over the same bars (from the chart's first bar). */
function useCompare(
  symbol: string | null,
  interval: ChartInterval,
  fromMs: number | undefined,
): { line: CompareLine | null; error: string | null } {
  const [state, setState] = useState<{ line: CompareLine | null; error: string | null }>({
    line: null,
    error: null,
  });
  useEffect(() => {
    if (symbol === null || fromMs === undefined) {
      setState({ line: null, error: null });
      return;
    }
    let cancelled = false;
    getJson(barsUrl(symbol, interval, fromMs), barsResponseSchema).then(
      ({ bars }) => {
        if (cancelled) return;
        const { candles } = toChartBars(bars);
        setState({
          line: { symbol, points: candles.map((c) => ({ time: c.time, value: c.close })) },
          error: null,
        });
      },
      (error: unknown) => {
        if (!cancelled)
          setState({ line: null, error: error instanceof Error ? error.message : String(error) });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [symbol, interval, fromMs]);
  return state;
}

/**
 * Scrolling back past the first bar fetches the span before it (as long as the API serves for the
 * interval), once at a time; an empty answer means the history is exhausted for this chart.
 */
function useOlderBars(
  symbol: string,
  interval: ChartInterval,
  current: ChartBars | null,
  prepend: (older: ChartBars) => void,
): { load: () => void; state: "idle" | "loading" | "exhausted"; error: string | null } {
  const [state, setState] = useState<"idle" | "loading" | "exhausted">("idle");
  const [error, setError] = useState<string | null>(null);
  const busy = useRef(false);
  const first = current?.candles[0]?.time;
  useEffect(() => {
    setState("idle");
    setError(null);
  }, [symbol, interval]);
  const load = useCallback(() => {
    if (busy.current || first === undefined || state === "exhausted") return;
    busy.current = true;
    setState("loading");
    const toMs = first * 1000;
    const span = Math.min(
      MAX_RANGE_MS[interval],
      Math.max(INTERVAL_SECONDS[interval] * 1000 * 2000, 4 * 86_400_000),
    );
    getJson(`${barsUrl(symbol, interval, toMs - span)}&to=${toMs}`, barsResponseSchema)
      .then(
        ({ bars }) => {
          if (bars.length === 0) return setState("exhausted");
          prepend(toChartBars(bars));
          setState("idle");
        },
        (e: unknown) => {
          setError(e instanceof Error ? e.message : String(e));
          setState("idle");
        },
      )
      .finally(() => {
        busy.current = false;
      });
  }, [symbol, interval, first, state, prepend]);
  return { load, state, error };
}
