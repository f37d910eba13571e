"use client";
import {
  CandlestickSeries,
  createChart,
  createSeriesMarkers,
  HistogramSeries,
  LineSeries,
  PriceScaleMode,
  type IChartApi,
  type ISeriesApi,
  type ISeriesMarkersPluginApi,
  type MouseEventParams,
  type SeriesType,
  type Time,
  type UTCTimestamp,
} from "lightweight-charts";
import { useEffect, useRef } from "react";
import { MonotonicBarBuilder, type Candle } from "@/lib/bar-builder";
import type { ChartBars, ProvenanceRun } from "@/lib/candle-columns";
import { INDICATORS, type IndicatorKey, type IndicatorLine } from "./indicators";
import { ChartLegend, type LegendHandle, type LegendPoint } from "./chart-legend";
import { chartTheme, exchangeTime, exchangeTick } from "./chart-theme";
import {
  DOWN_COLOR,
  kindOf,
  provenanceMarkers,
  runPerBar,
  styledCandles,
  UP_COLOR,
} from "./provenance-style";

export { DOWN_COLOR, UP_COLOR } from "./provenance-style";

/** Where a live update came from: the forming candle is drawn as what its newest price is. */
export type LiveProvenance = Pick<ProvenanceRun, "source" | "delayed">;

export interface LiveCandleSource {
  /** Calls back for every live trade or polled price of the charted symbol, and every live minute bar. */
  subscribe(
    onTrade: (epochMs: number, price: number, from: LiveProvenance) => void,
    onBar: (bar: Candle, from: LiveProvenance) => void,
  ): () => void;
}

export interface CompareLine {
  symbol: string;
  points: { time: number; value: number }[];
}

interface Props {
  bars: ChartBars;
  intervalSeconds: number;
  overlays: Partial<Record<IndicatorKey, IndicatorLine[]>>;
  live: LiveCandleSource | null;
  /** A second symbol drawn on the same scale in percent terms (both lines from the first visible bar). */
  compare: CompareLine | null;
  /** Called once, when the first candles have been painted. */
  onFirstPaint?: () => void;
  /** The trader scrolled to the oldest bar loaded: time to fetch older ones. */
  onNeedOlder?: () => void;
}

const ts = (t: number) => t as UTCTimestamp;
const VOLUME_PANE = 1;

/**
 * lightweight-charts 5: candles in pane 0 (with EMA/Bollinger/VWAP and a compared symbol on top),
 * volume in pane 1, MACD and RSI each in their own pane after it, numbered in toggle order so
 * turning one off never leaves an empty pane. Provenance is drawn on the bars and in markers.
 */
export function CandleChart(props: Props) {
  const { bars, intervalSeconds, overlays, live, compare } = props;
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<IChartApi | null>(null);
  const candleSeries = useRef<ISeriesApi<"Candlestick"> | null>(null);
  const volumeSeries = useRef<ISeriesApi<"Histogram"> | null>(null);
  const compareSeries = useRef<ISeriesApi<"Line"> | null>(null);
  const markers = useRef<ISeriesMarkersPluginApi<Time> | null>(null);
  const indicatorSeries = useRef<{ series: ISeriesApi<SeriesType>; name: string }[]>([]);
  const builder = useRef(new MonotonicBarBuilder(intervalSeconds));
  const shown = useRef<ChartBars | null>(null);
  const firstCandlesMarked = useRef(false);
  const dot = useRef<HTMLSpanElement>(null);
  const legend = useRef<LegendHandle>(null);
  /** The crosshair is over the chart: the legend follows it, not the live candle. */
  const hovering = useRef(false);
  const callbacks = useRef(props);
  callbacks.current = props;

  useEffect(() => {
    if (host.current === null) return;
    const created = createChart(host.current, {
      autoSize: true,
      ...chartTheme(),
      timeScale: { timeVisible: true, secondsVisible: false, tickMarkFormatter: exchangeTick },
      localization: { timeFormatter: exchangeTime },
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
    volumeSeries.current = created.addSeries(
      HistogramSeries,
      { priceFormat: { type: "volume" }, priceLineVisible: false, lastValueVisible: false },
      VOLUME_PANE,
    );
    created.panes()[VOLUME_PANE]?.setHeight(80);
    markers.current = createSeriesMarkers(candleSeries.current, []);
    chart.current = created;
    const onMove = (param: MouseEventParams) => {
      hovering.current = param.time !== undefined;
      const data = shown.current;
      if (data === null || data.candles.length === 0) return legend.current?.show(null);
      // Off the chart: the newest bar, as a quote board would show.
      const index =
        param.time === undefined ? data.candles.length - 1 : binarySearch(data.candles, param.time as number);
      const values = indicatorSeries.current.flatMap(({ series, name }) => {
        const point = param.seriesData.get(series) as { value?: number } | undefined;
        return point?.value === undefined ? [] : [{ name, value: point.value }];
      });
      legend.current?.show(legendPoint(data, index, values));
    };
    created.subscribeCrosshairMove(onMove);
    // Only the trader's own scrolling asks for older bars: a short history that leaves the chart
    // half empty on load is not a request for more.
    let touched = false;
    const touch = () => {
      touched = true;
    };
    host.current.addEventListener("pointerdown", touch);
    host.current.addEventListener("wheel", touch, { passive: true });
    const onRange = (range: { from: number } | null) => {
      if (touched && range !== null && range.from < 5 && (shown.current?.candles.length ?? 0) > 0)
        callbacks.current.onNeedOlder?.();
    };
    created.timeScale().subscribeVisibleLogicalRangeChange(onRange);
    // The system's light/dark choice can change while the page is open.
    const scheme = window.matchMedia("(prefers-color-scheme: light)");
    const retheme = () => created.applyOptions(chartTheme());
    scheme.addEventListener("change", retheme);
    return () => {
      scheme.removeEventListener("change", retheme);
      chart.current = null;
      candleSeries.current = null;
      volumeSeries.current = null;
      compareSeries.current = null;
      indicatorSeries.current = [];
      created.remove();
    };
  }, []);

  useEffect(() => {
    const series = candleSeries.current;
    const api = chart.current;
    if (series === null || api === null) return;
    const { candles, volume, provenance } = bars;
    const before = shown.current;
    // Older bars joined in front: keep the trader's view where it was, shifted by what was added.
    const prepended =
      before !== null &&
      before.candles.length > 0 &&
      candles.length > before.candles.length &&
      candles.at(-1)?.time === before.candles.at(-1)?.time;
    const range = prepended ? api.timeScale().getVisibleLogicalRange() : null;
    const firstCandles = candles.length > 0 && !firstCandlesMarked.current;
    if (firstCandles) performance.mark("torghut:set-data");
    series.setData(styledCandles(candles, provenance));
    volumeSeries.current?.setData(
      candles.map((c, i) => ({
        time: ts(c.time),
        value: volume[i] ?? 0,
        color: c.close >= c.open ? "rgba(0,200,120,0.45)" : "rgba(230,40,60,0.45)",
      })),
    );
    markers.current?.setMarkers(provenanceMarkers(candles, provenance, intervalSeconds));
    shown.current = bars;
    legend.current?.show(candles.length === 0 ? null : legendPoint(bars, candles.length - 1, []));
    builder.current = new MonotonicBarBuilder(intervalSeconds);
    builder.current.seed(candles.at(-1) ?? null);
    if (range !== null && before !== null) {
      const added = candles.length - before.candles.length;
      api.timeScale().setVisibleLogicalRange({ from: range.from + added, to: range.to + added });
    } else api.timeScale().scrollToRealTime();
    if (firstCandles) {
      firstCandlesMarked.current = true;
      // The chart draws on the next animation frame; the one after it runs once that frame is painted.
      // `npm run bench -- ui` reads this mark as "time to first candle".
      requestAnimationFrame(() =>
        requestAnimationFrame(() => {
          performance.mark("torghut:first-candles", { detail: { candles: candles.length } });
          callbacks.current.onFirstPaint?.();
        }),
      );
    }
  }, [bars, intervalSeconds]);

  useEffect(() => {
    const api = chart.current;
    if (api === null) return;
    if (compareSeries.current !== null) api.removeSeries(compareSeries.current);
    compareSeries.current = null;
    // Percent terms from the first visible bar: two prices of any size on one scale.
    api.priceScale("right", 0).applyOptions({
      mode: compare === null ? PriceScaleMode.Normal : PriceScaleMode.Percentage,
    });
    const element = host.current;
    if (element !== null) {
      element.dataset.scale = compare === null ? "price" : "percent";
      element.dataset.compare = compare?.symbol ?? "";
      element.dataset.comparePoints = String(compare?.points.length ?? 0);
    }
    if (compare === null) return;
    compareSeries.current = api.addSeries(
      LineSeries,
      { color: "#3d8bfd", lineWidth: 2, title: compare.symbol, priceLineVisible: false },
      0,
    );
    compareSeries.current.setData(compare.points.map((p) => ({ time: ts(p.time), value: p.value })));
  }, [compare]);

  useEffect(() => {
    const api = chart.current;
    if (api === null) return;
    for (const { series } of indicatorSeries.current) api.removeSeries(series);
    indicatorSeries.current = [];
    for (let i = api.panes().length - 1; i > VOLUME_PANE; i--) api.removePane(i);
    let nextPane = VOLUME_PANE + 1;
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
        indicatorSeries.current.push({ series, name: line.name });
      }
      if (paneIndex > VOLUME_PANE) api.panes()[paneIndex]?.setHeight(120);
    }
  }, [overlays]);

  useEffect(() => {
    if (live === null) return;
    let updates = 0;
    if (dot.current !== null) dot.current.dataset.count = "0";
    const push = (candle: Candle | null, from: LiveProvenance): void => {
      if (candle === null || candleSeries.current === null) return;
      // A Yahoo price during a failover makes the forming candle DELAYED now, not after a reload.
      const [drawn] = styledCandles([candle], [{ start: 0, ...from }]);
      candleSeries.current.update(drawn!);
      if (host.current !== null) host.current.dataset.liveKind = kindOf(from);
      // Off the chart the legend shows the newest bar: the forming one, with where its price came from.
      if (!hovering.current) {
        const data = shown.current;
        const volume =
          data !== null && data.candles.at(-1)?.time === candle.time ? data.volume.at(-1) : undefined;
        legend.current?.show({
          candle,
          volume: volume ?? null,
          kind: kindOf(from),
          run: { start: 0, ...from },
          values: [],
        });
      }
      // Written to the DOM directly: a React state update here would re-render the page 20 times a second.
      updates++;
      const element = dot.current;
      if (element !== null) {
        element.dataset.count = String(updates);
        element.classList.remove("pulse");
        void element.offsetWidth;
        element.classList.add("pulse");
      }
    };
    return live.subscribe(
      (epochMs, price, from) => push(builder.current.applyTrade(epochMs, price), from),
      (bar, from) => push(builder.current.applyBar(bar), from),
    );
  }, [live]);

  return (
    <div className="chart-wrap">
      <ChartLegend ref={legend} />
      <span
        ref={dot}
        className="live-dot"
        data-testid="live-updates"
        data-count="0"
        role="img"
        aria-label="live updates to the last candle"
        title="pulses on every live update to the last candle"
      />
      <div ref={host} className="chart" data-testid="price-chart" />
    </div>
  );
}

function legendPoint(data: ChartBars, index: number, values: LegendPoint["values"]): LegendPoint {
  const run = runPerBar(index + 1, data.provenance)[index];
  return { candle: data.candles[index]!, volume: data.volume[index] ?? null, kind: kindOf(run), run, values };
}

/** The bar at or before `time` (bars are in time order). */
function binarySearch(candles: readonly Candle[], time: number): number {
  let lo = 0;
  let hi = candles.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (candles[mid]!.time <= time) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
