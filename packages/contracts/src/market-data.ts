import { z } from "zod";
import { sourceNameSchema } from "./provenance";
import { symbolSchema } from "./symbols";

/**
 * Every market-data record carries two timestamps: `eventTime` from the source (RFC-3339, full
 * precision kept as the raw string so nanosecond ordering survives) and `receivedAt` (epoch ms here).
 */
const recordBase = {
  symbol: symbolSchema,
  eventTime: z.string().min(20),
  receivedAt: z.number().int().nonnegative(),
  source: sourceNameSchema,
  delayed: z.boolean(),
};

export const tradeSchema = z.object({
  ...recordBase,
  kind: z.literal("trade"),
  price: z.number().finite(),
  size: z.number().finite(),
  /** Exchange-assigned trade id; unique per symbol per source and trading day. */
  tradeId: z.string(),
  exchange: z.string().nullable(),
  conditions: z.array(z.string()),
  tape: z.string().nullable(),
  /** Set by validation when the price tripped the circuit breaker: kept, but out of bars and the live price. */
  suspicious: z.boolean(),
});
export type Trade = z.infer<typeof tradeSchema>;

/**
 * A trade's one-minute bar as it stands with that trade in it: what the `lines:*` tick carries
 * (`minuteBar`). Cumulative, so whichever tick of a minute reaches a client — the hub's throttle and
 * a slow client's queue keep only the newest — it brings every trade before it: a spike another
 * trade superseded within 50 ms still sets the high, and the minute's volume is whole. Its minute is
 * the trade's own (`eventTime`'s), so it is not sent again: 500 symbols × 20 ticks a second are
 * parsed by one browser page.
 */
export const minuteSoFarSchema = z.object({
  open: z.number().finite(),
  high: z.number().finite(),
  low: z.number().finite(),
  close: z.number().finite(),
  volume: z.number().finite().nonnegative(),
  tradeCount: z.number().int().nonnegative(),
});
export type MinuteSoFar = z.infer<typeof minuteSoFarSchema>;

/**
 * A trade as the hub publishes it (`lines:*`, type `tick`). `minuteBar` is absent when no bar was
 * built for it (a trade older than the bars kept in memory, or a server without a store).
 */
export const liveTradeSchema = tradeSchema.extend({ minuteBar: minuteSoFarSchema.optional() });
export type LiveTrade = z.infer<typeof liveTradeSchema>;

export const quoteSchema = z.object({
  ...recordBase,
  kind: z.literal("quote"),
  bidPrice: z.number().finite(),
  bidSize: z.number().finite(),
  askPrice: z.number().finite(),
  askSize: z.number().finite(),
  bidExchange: z.string().nullable(),
  askExchange: z.string().nullable(),
  conditions: z.array(z.string()),
  tape: z.string().nullable(),
});
export type Quote = z.infer<typeof quoteSchema>;

/** A one-minute OHLCV bar; `minute` is the ISO start of the UTC minute. */
export const bar1mSchema = z.object({
  symbol: symbolSchema,
  minute: z.iso.datetime(),
  open: z.number().finite(),
  high: z.number().finite(),
  low: z.number().finite(),
  close: z.number().finite(),
  volume: z.number().finite().nonnegative(),
  vwap: z.number().finite().nullable(),
  tradeCount: z.number().int().nonnegative(),
  source: sourceNameSchema,
  delayed: z.boolean(),
});
export type Bar1m = z.infer<typeof bar1mSchema>;

export type MarketRecord = Trade | Quote;
