import { liveTradeSchema, minuteStart } from "@torghut/contracts";
import type { Candle } from "@/lib/bar-builder";
import type { LiveProvenance } from "./candle-chart";

/** What a `lines:` tick means for the chart's forming candle. */
export type TickUpdate =
  | { kind: "minute"; candle: Candle; from: LiveProvenance }
  | { kind: "trade"; epochMs: number; price: number; from: LiveProvenance };

/**
 * A tick for `symbol` as the chart folds it, or null when it is not one to show (fails the contract,
 * another symbol's, or suspicious). A tick that carries its minute so far is folded as that
 * one-minute bar: it holds the trades the hub did not send (at most 20 a second per symbol), so a
 * spike between two ticks still shows as the candle's wick. Without it, the trade's price alone.
 */
export function tickUpdate(data: unknown, symbol: string): TickUpdate | null {
  const trade = liveTradeSchema.safeParse(data);
  if (!trade.success || trade.data.suspicious || trade.data.symbol !== symbol) return null;
  const from = { source: trade.data.source, delayed: trade.data.delayed };
  const epochMs = Date.parse(trade.data.eventTime);
  const minute = trade.data.minuteBar;
  if (minute === undefined) return { kind: "trade", epochMs, price: trade.data.price, from };
  const { open, high, low, close } = minute;
  // The bar is of the trade's own minute.
  return { kind: "minute", candle: { time: minuteStart(epochMs) / 1000, open, high, low, close }, from };
}
