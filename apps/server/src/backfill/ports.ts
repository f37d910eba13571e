import type { Bar1m } from "@torghut/contracts";

/** 1-minute bars for [startMs, endMs) of these symbols (Alpaca REST, paginated and rate-limited). */
export interface BarsFetcher {
  fetchBars(symbols: readonly string[], startMs: number, endMs: number): Promise<Bar1m[]>;
}

/** Writes bars, replacing what is stored for the same (symbol, minute); implemented by the store. */
export interface BarsSink {
  upsertBars(bars: readonly Bar1m[]): Promise<void>;
}

export interface BackfillReport {
  cause: "failback" | "reconnect" | "trailing";
  /** Window [startMs, endMs), whole minutes. */
  startMs: number;
  endMs: number;
  /** Where the bars came from: Alpaca REST, Yahoo's 1m chart (delayed), or nowhere. */
  via: "alpaca-rest" | "yahoo-chart" | "none";
  /** Distinct minutes of the window for which at least one bar was written. */
  minutesBackfilled: number;
  barsWritten: number;
  symbols: number;
  error: string | null;
  finishedAt: number;
}
