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
