import type { ApiBar, ApiBarColumns } from "./api";
import type { Candle } from "./bar-builder";

/**
 * Candles as one array per field: what the visuals page's server component hands to the browser.
 * A third of the bytes of the API's bar objects (no repeated keys, no ISO strings, no fields the
 * chart does not draw), so 5,000 bars add little to the page's response. The server component gets
 * them from the API's `format=columns` answer as they are.
 */
export interface CandleColumns {
  /** UTC seconds, as lightweight-charts takes them. */
  time: number[];
  open: number[];
  high: number[];
  low: number[];
  close: number[];
}

export type InitialBars = { status: "ok"; columns: CandleColumns } | { status: "error"; message: string };

/** Only what the chart draws: volume and provenance stay out of the page's response. */
export function toCandleColumns({ time, open, high, low, close }: ApiBarColumns): CandleColumns {
  return { time, open, high, low, close };
}

/** The API's bars as chart candles (the browser-side fetch, after a symbol or interval change). */
export function toCandles(bars: readonly ApiBar[]): Candle[] {
  return bars.map((b) => ({
    time: Math.floor(Date.parse(b.time) / 1000),
    open: b.open,
    high: b.high,
    low: b.low,
    close: b.close,
  }));
}

export function fromCandleColumns(columns: CandleColumns): Candle[] {
  const { time, open, high, low, close } = columns;
  const candles: Candle[] = new Array<Candle>(time.length);
  for (let i = 0; i < time.length; i++)
    candles[i] = { time: time[i]!, open: open[i]!, high: high[i]!, low: low[i]!, close: close[i]! };
  return candles;
}
