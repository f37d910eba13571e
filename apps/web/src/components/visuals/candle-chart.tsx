"use client";
import {
  CandlestickSeries,
  ColorType,
  createChart,
  HistogramSeries,
  LineSeries,
  type IChartApi,
  type ISeriesApi,
  type SeriesType,
  type UTCTimestamp,
} from "lightweight-charts";
import { useEffect, useRef } from "react";
import { MonotonicBarBuilder, type Candle } from "@/lib/bar-builder";
import { INDICATORS, type IndicatorKey, type IndicatorLine } from "./indicators";

/** Exact colours so the e2e pixel check can find rising and falling candles in a screenshot. */
export const UP_COLOR = "#00c878";
export const DOWN_COLOR = "#e6283c";

export interface LiveCandleSource {
  /** Calls back with (epoch ms, price) for every live trade or polled price of the charted symbol. */
  subscribe(onTrade: (epochMs: number, price: number) => void, onBar: (bar: Candle) => void): () => void;
}

interface Props {
  candles: Candle[];
  intervalSeconds: number;
  overlays: Partial<Record<IndicatorKey, IndicatorLine[]>>;
  live: LiveCandleSource | null;
  /** Called once, when the first candles have been painted. */
  onFirstPaint?: () => void;
}

const ts = (t: number) => t as UTCTimestamp;

/**
 * lightweight-charts 5: candles in pane 0 with EMA/Bollinger/VWAP on top; MACD and RSI each get
 * their own pane, numbered in toggle order so turning one off never leaves an empty pane behind.
 */
export function CandleChart({ candles, intervalSeconds, overlays, live, onFirstPaint }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<IChartApi | null>(null);
  const candleSeries = useRef<ISeriesApi<"Candlestick"> | null>(null);
  const indicatorSeries = useRef<ISeriesApi<SeriesType>[]>([]);
  const builder = useRef(new MonotonicBarBuilder(intervalSeconds));
  const firstCandlesMarked = useRef(false);
  const counter = useRef<HTMLSpanElement>(null);
  const firstPaint = useRef(onFirstPaint);
  firstPaint.current = onFirstPaint;

  useEffect(() => {
    if (host.current === null) return;
    const created = createChart(host.current, {
      autoSize: true,
      layout: {
        background: { type: ColorType.Solid, color: "#0f1419" },
        textColor: "#8b98a5",
        attributionLogo: false,
      },
      grid: { vertLines: { color: "#1c252e" }, horzLines: { color: "#1c252e" } },
      timeScale: { timeVisible: true, secondsVisible: false },
      crosshair: { mode: 0 },
    });
    candleSeries.current = created.addSeries(CandlestickSeries, {
      upColor: UP_COLOR,
      downColor: DOWN_COLOR,
      borderUpColor: UP_COLOR,
      borderDownColor: DOWN_COLOR,
      wickUpColor: UP_COLOR,
      wickDownColor: DOWN_COLOR,
    });
    chart.current = created;
    return () => {
      chart.current = null;
      candleSeries.current = null;
      indicatorSeries.current = [];
      created.remove();
    };
  }, []);

  useEffect(() => {
    const series = candleSeries.current;
    if (series === null) return;
    const firstCandles = candles.length > 0 && !firstCandlesMarked.current;
    if (firstCandles) performance.mark("torghut:set-data");
    series.setData(candles.map((c) => ({ ...c, time: ts(c.time) })));
    builder.current = new MonotonicBarBuilder(intervalSeconds);
    builder.current.seed(candles.at(-1) ?? null);
    chart.current?.timeScale().scrollToRealTime();
    if (firstCandles) {
      firstCandlesMarked.current = true;
      // The chart draws on the next animation frame; the one after it runs once that frame is painted.
      // `npm run bench -- ui` reads this mark as "time to first candle".
      requestAnimationFrame(() =>
        requestAnimationFrame(() => {
          performance.mark("torghut:first-candles", { detail: { candles: candles.length } });
          firstPaint.current?.();
        }),
      );
    }
  }, [candles, intervalSeconds]);

  useEffect(() => {
    const api = chart.current;
    if (api === null) return;
    for (const s of indicatorSeries.current) api.removeSeries(s);
    indicatorSeries.current = [];
    for (let i = api.panes().length - 1; i > 0; i--) api.removePane(i);
    let nextPane = 1;
    for (const { key, pane } of INDICATORS) {
      const lines = overlays[key];
      if (lines === undefined) continue;
      const paneIndex = pane === "price" ? 0 : nextPane++;
      for (const line of lines) {
        const data = line.points.map((p) => ({ time: ts(p.time), value: p.value }));
        const series =
          line.kind === "histogram"
            ? api.addSeries(
                HistogramSeries,
                { color: line.color, priceLineVisible: false, lastValueVisible: false },
                paneIndex,
              )
            : api.addSeries(
                LineSeries,
                {
                  color: line.color,
                  lineWidth: 1,
                  priceLineVisible: false,
                  lastValueVisible: false,
                  title: line.name,
                },
                paneIndex,
              );
        series.setData(data);
        indicatorSeries.current.push(series);
      }
      if (paneIndex > 0) api.panes()[paneIndex]?.setHeight(120);
    }
  }, [overlays]);

  useEffect(() => {
    if (live === null) return;
    let updates = 0;
    if (counter.current !== null) counter.current.dataset.count = "0";
    const push = (candle: Candle | null): void => {
      if (candle === null || candleSeries.current === null) return;
      candleSeries.current.update({ ...candle, time: ts(candle.time) });
      // Written to the DOM directly: a React state update here would re-render the page 20 times a second.
      updates++;
      if (counter.current !== null) {
        counter.current.dataset.count = String(updates);
        counter.current.textContent = `${updates} live updates`;
      }
    };
    return live.subscribe(
      (epochMs, price) => push(builder.current.applyTrade(epochMs, price)),
      (bar) => push(builder.current.applyBar(bar)),
    );
  }, [live]);

  return (
    <>
      <span ref={counter} className="muted" data-testid="live-updates" data-count="0">
        0 live updates
      </span>
      <div ref={host} className="chart" data-testid="price-chart" />
    </>
  );
}
