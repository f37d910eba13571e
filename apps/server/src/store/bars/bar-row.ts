import type { Bar1m, SourceName } from "@torghut/contracts";

/** The values every stored bar table (bars_1m and the rollups) holds, as the driver returns them. */
export interface StoredBarValues {
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  vwap: number | null;
  trade_count: number;
  source: string;
  delayed: boolean;
}

/** A bar of any interval as the TA API returns it; `time` is the ISO start of the bar. */
export type IntervalBar = Omit<Bar1m, "symbol" | "minute"> & { time: string };

/** A stored row's values in the contracts' shape (camel case, the source as its name). */
export function barValues(row: StoredBarValues): Omit<Bar1m, "symbol" | "minute"> {
  return {
    open: row.open,
    high: row.high,
    low: row.low,
    close: row.close,
    volume: row.volume,
    vwap: row.vwap,
    tradeCount: row.trade_count,
    source: row.source as SourceName,
    delayed: row.delayed,
  };
}
