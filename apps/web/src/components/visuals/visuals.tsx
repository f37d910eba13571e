"use client";
import { useCallback, useEffect, useMemo, useState } from "react";
import type { PublicSettings } from "@/config";
import { getJson, latestResponse, latestUrl, symbolsResponse } from "@/lib/api";
import { INTERVAL_SECONDS, type ChartInterval } from "@/lib/bar-builder";
import type { InitialBars } from "@/lib/candle-columns";
import { useFeedState } from "@/lib/live/use-market-feed";
import { usePoll } from "@/lib/use-poll";
import { LivePill } from "../shell/live-pill";
import { CandleChart } from "./candle-chart";
import { INDICATORS, type IndicatorKey } from "./indicators";
import { LagPill } from "./lag-pill";
import { useBars, useIndicators } from "./use-chart-data";
import { useLiveCandles } from "./use-live-candles";

interface Props {
  settings: PublicSettings;
  initialSymbol: string;
  initialInterval: ChartInterval;
  /** Start of the history to load (`?days=`); default: the API's range for the interval. */
  initialFromMs?: number;
  /** The first chart's bars, fetched by the server component and streamed with the page. */
  initialBars?: Promise<InitialBars>;
}

/** `/torghut/visuals`: candles, indicator overlays and panes, lag pill, live last candle. */
export function Visuals({ settings, initialSymbol, initialInterval, initialFromMs, initialBars }: Props) {
  const [symbol, setSymbol] = useState(initialSymbol);
  const [draft, setDraft] = useState(initialSymbol);
  const [interval, setChartInterval] = useState<ChartInterval>(initialInterval);
  const [enabled, setEnabled] = useState<IndicatorKey[]>([]);
  const feed = useFeedState();
  // `?days=` applies to every symbol and interval picked on this page: choose() keeps it in the URL.
  const fromMs = initialFromMs;
  const bars = useBars(
    symbol,
    interval,
    fromMs,
    initialBars && {
      symbol: initialSymbol,
      interval: initialInterval,
      fromMs: initialFromMs,
      bars: initialBars,
    },
  );
  const indicators = useIndicators(symbol, interval, enabled, bars, fromMs);
  // Everything else (symbol list, latest-price polling, the live feed and its client library) starts
  // once the first candles are painted, or once it is clear there are none to paint: until then it
  // would only compete with them for the browser's and the servers' time.
  // Once started they stay started, whatever the next symbol's bars do.
  const [started, setStarted] = useState(false);
  const nothingToPaint = bars.status === "error" || (bars.status === "ok" && bars.candles.length === 0);
  const onFirstPaint = useCallback(() => setStarted(true), []);
  useEffect(() => {
    if (nothingToPaint) setStarted(true);
  }, [nothingToPaint]);
  const symbols = usePoll(started ? () => getJson("/api/symbols", symbolsResponse) : null, 60_000, [started]);
  const latest = usePoll(started ? () => getJson(latestUrl(symbol), latestResponse) : null, 1_000, [
    symbol,
    started,
  ]);
  const live = useLiveCandles(symbol, latest.data, feed.state === "live", started);
  const candles = useMemo(() => (bars.status === "ok" ? bars.candles : []), [bars]);
  // `npm run bench -- ui` reads this as "hydration done": React has committed the page.
  useEffect(() => void performance.mark("torghut:hydrated"), []);

  const choose = (next: string, nextInterval: ChartInterval = interval): void => {
    const clean = next.trim().toUpperCase();
    setSymbol(clean);
    setDraft(clean);
    setChartInterval(nextInterval);
    // The browser's history only: a router navigation would re-render the page on the server, and
    // with it fetch that chart's bars a second time (this component fetches them itself). `days`
    // stays, so a reload shows the same range.
    const days = new URLSearchParams(window.location.search).get("days");
    window.history.replaceState(
      null,
      "",
      `/torghut/visuals?symbol=${encodeURIComponent(clean)}&interval=${nextInterval}` +
        (days === null ? "" : `&days=${encodeURIComponent(days)}`),
    );
  };
  const toggle = (key: IndicatorKey, on: boolean): void =>
    setEnabled((prev) => (on ? [...prev.filter((k) => k !== key), key] : prev.filter((k) => k !== key)));

  const known = symbols.data?.symbols.map((s) => s.symbol) ?? [];
  const options = known.includes(symbol) ? known : [symbol, ...known];
  const errors = [
    bars.status === "error" ? `Bars: ${bars.message}` : null,
    latest.error !== undefined ? `Latest price: ${latest.error.message}` : null,
    ...Object.entries(indicators.errors).map(([k, m]) => (m ? `Signals (${k}): ${m}` : null)),
  ].filter((e): e is string => e !== null);

  return (
    <>
      <div className="toolbar">
        <h1>TA visuals</h1>
        <select
          data-testid="symbol-picker"
          value={symbol}
          onChange={(e) => choose(e.target.value)}
          aria-label="Symbol"
        >
          {options.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            choose(draft);
          }}
        >
          <input
            data-testid="symbol-input"
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            aria-label="Any symbol"
            size={8}
          />{" "}
          <button type="submit">Show</button>
        </form>
        <select
          data-testid="interval-picker"
          value={interval}
          onChange={(e) => choose(symbol, e.target.value as ChartInterval)}
          aria-label="Interval"
        >
          {Object.keys(INTERVAL_SECONDS).map((i) => (
            <option key={i}>{i}</option>
          ))}
        </select>
        <LagPill latest={latest.data} samples={latest.samples} thresholdMs={settings.lagThresholdMs} />
        <LivePill />
      </div>
      <div className="toolbar toggles" data-testid="indicator-toggles">
        {INDICATORS.map(({ key, label }) => (
          <label key={key}>
            <input
              type="checkbox"
              data-testid={`toggle-${key}`}
              checked={enabled.includes(key)}
              onChange={(e) => toggle(key, e.target.checked)}
            />{" "}
            {label}{" "}
            {enabled.includes(key) ? (
              <span
                className="muted"
                data-testid={`indicator-status-${key}`}
                data-points={indicators.points[key] ?? ""}
              >
                {indicators.points[key] === undefined ? "loading…" : `${indicators.points[key]} points`}
              </span>
            ) : null}
          </label>
        ))}
      </div>
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
      <div data-testid="chart-state" data-status={bars.status} data-candles={candles.length} />
      <CandleChart
        candles={candles}
        intervalSeconds={INTERVAL_SECONDS[interval]}
        overlays={indicators.lines}
        live={bars.status === "ok" ? live : null}
        onFirstPaint={onFirstPaint}
      />
    </>
  );
}
