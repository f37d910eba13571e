import { type ApiBar, type BarColumnsResponse } from "@torghut/contracts";
import type { Candle } from "./bar-builder";

/** Bars from `start` (an index) up to the next run's start came from `source`. */
export interface ProvenanceRun {
  start: number;
  source: string;
  delayed: boolean;
}

/**
 * Candles as one array per field: what the visuals page's server component hands to the browser.
 * A third of the bytes of the API's bar objects (no repeated keys, no ISO strings), so 5,000 bars
 * add little to the page's response. The server component gets them from the API's `format=columns`
 * answer as they are.
 */
export interface CandleColumns {
  /** UTC seconds, as lightweight-charts takes them. */
  time: number[];
  open: number[];
  high: number[];
  low: number[];
  close: number[];
  volume: number[];
  provenance: ProvenanceRun[];
}

/** What the chart draws: candles, their volume (same index) and where each run of bars came from. */
export interface ChartBars {
  candles: Candle[];
  volume: number[];
  provenance: ProvenanceRun[];
}

export type InitialBars = { status: "ok"; columns: CandleColumns } | { status: "error"; message: string };

export function toCandleColumns(c: BarColumnsResponse): CandleColumns {
  return {
    time: c.time,
    open: c.open,
    high: c.high,
    low: c.low,
    close: c.close,
    volume: c.volume,
    provenance: c.provenance,
  };
}

/** The API's bars as chart bars (the browser-side fetch, after a symbol or interval change). */
export function toChartBars(bars: readonly ApiBar[]): ChartBars {
  const provenance: ProvenanceRun[] = [];
  bars.forEach((b, i) => {
    const run = provenance.at(-1);
    if (run === undefined || run.source !== b.source || run.delayed !== b.delayed)
      provenance.push({ start: i, source: b.source, delayed: b.delayed });
  });
  return {
    candles: bars.map((b) => ({
      time: Math.floor(Date.parse(b.time) / 1000),
      open: b.open,
      high: b.high,
      low: b.low,
      close: b.close,
    })),
    volume: bars.map((b) => b.volume),
    provenance,
  };
}

export function fromCandleColumns(columns: CandleColumns): ChartBars {
  const { time, open, high, low, close } = columns;
  const candles: Candle[] = new Array<Candle>(time.length);
  for (let i = 0; i < time.length; i++)
    candles[i] = { time: time[i]!, open: open[i]!, high: high[i]!, low: low[i]!, close: close[i]! };
  return { candles, volume: columns.volume, provenance: columns.provenance };
}

/** Older bars joined in front of newer ones (scrolling back): provenance indices shift. */
export function prependBars(older: ChartBars, newer: ChartBars): ChartBars {
  const cut = newer.candles[0]?.time ?? Infinity;
  const keep = older.candles.findIndex((c) => c.time >= cut);
  const n = keep === -1 ? older.candles.length : keep;
  const runs = [
    ...older.provenance.filter((r) => r.start < n),
    ...newer.provenance.map((r) => ({ ...r, start: r.start + n })),
  ].filter((r, i, all) => i === 0 || r.source !== all[i - 1]!.source || r.delayed !== all[i - 1]!.delayed);
  return {
    candles: [...older.candles.slice(0, n), ...newer.candles],
    volume: [...older.volume.slice(0, n), ...newer.volume],
    provenance: runs,
  };
}
