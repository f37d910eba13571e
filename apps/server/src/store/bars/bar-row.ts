import type { Bar1m } from "@torghut/contracts";

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
