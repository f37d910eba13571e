import type { Bar1m } from "@torghut/contracts";
import type { BarsFetcher } from "./ports";

export interface AlpacaBarsReader {
  fetchBars(symbols: readonly string[], start: Date, end: Date, timeframe?: string): Promise<Bar1m[]>;
}

/** Alpaca REST `/v2/stocks/bars` (the REST client pages and rate-limits); its `end` is inclusive. */
export function alpacaBarsFetcher(rest: AlpacaBarsReader): BarsFetcher {
  return {
    fetchBars: (symbols, startMs, endMs) =>
      rest.fetchBars(symbols, new Date(startMs), new Date(endMs - 1), "1Min"),
  };
}
