import type { Bar1m } from "@torghut/contracts";
import { YahooMalformedResponseError } from "./errors";
import { chartResultSchema, isDelayed, type ChartResult, type YahooPrice } from "./messages";

/** A raw chart body, parsed at the edge: what lacks the fields we need is a malformed answer. */
export function parseChart(raw: unknown, symbol: string): ChartResult {
  const parsed = chartResultSchema.safeParse(raw);
  if (!parsed.success) {
    throw new YahooMalformedResponseError(`Yahoo chart for ${symbol} lacks the fields we need`, null, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

/** The live price of a chart: `meta.regularMarketPrice` at `regularMarketTime`, delayed unless Yahoo says otherwise. */
export function priceOf(symbol: string, result: ChartResult): YahooPrice {
  const { meta } = result;
  return {
    symbol,
    price: meta.regularMarketPrice,
    time: meta.regularMarketTime * 1000,
    delayed: isDelayed(meta),
  };
}

/** One-minute bars for [startMs, endMs); minutes without trades (null arrays) are skipped. */
export function minuteBarsOf(symbol: string, result: ChartResult, startMs: number, endMs: number): Bar1m[] {
  const quote = result.indicators?.quote?.[0];
  const bars: Bar1m[] = [];
  (result.timestamp ?? []).forEach((seconds, i) => {
    const ms = seconds * 1000;
    const [open, high, low, close] = [quote?.open?.[i], quote?.high?.[i], quote?.low?.[i], quote?.close?.[i]];
    if (ms < startMs || ms >= endMs || open == null || high == null || low == null || close == null) return;
    bars.push({
      symbol,
      minute: new Date(ms - (ms % 60_000)).toISOString(),
      open,
      high,
      low,
      close,
      volume: quote?.volume?.[i] ?? 0,
      vwap: null,
      tradeCount: 0,
      source: "backfill",
      delayed: true,
    });
  });
  return bars;
}
