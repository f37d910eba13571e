import { z } from "zod";

/**
 * The parts of a raw v8 chart body we use (reference §4.1), parsed permissively: Yahoo adds fields
 * freely, and arrays may hold nulls for minutes without trades. Venue names stay in this file.
 */
const nullableNumbers = z.array(z.number().nullable()).optional();
/** Unix seconds on the wire; yahoo-finance2 may already have coerced them to Date. */
const epochSeconds = z.union([
  z.number().int().positive(),
  z.date().transform((d) => Math.floor(d.getTime() / 1000)),
]);

export const chartMetaSchema = z.looseObject({
  symbol: z.string(),
  regularMarketPrice: z.number().finite().positive(),
  /** Unix seconds. */
  regularMarketTime: epochSeconds,
  /** Present on quote bodies and some chart bodies: minutes (chart) or seconds of exchange delay. */
  exchangeDataDelayedBy: z.number().optional(),
  quoteSourceName: z.string().optional(),
  regularMarketVolume: z.number().optional(),
  /** The close before the chart's first bar (a daily chart from a session's start: the previous close). */
  chartPreviousClose: z.number().finite().positive().optional(),
});
export type ChartMeta = z.infer<typeof chartMetaSchema>;

export const chartResultSchema = z.looseObject({
  meta: chartMetaSchema,
  timestamp: z.array(epochSeconds).optional(),
  indicators: z
    .looseObject({
      quote: z
        .array(
          z.looseObject({
            open: nullableNumbers,
            high: nullableNumbers,
            low: nullableNumbers,
            close: nullableNumbers,
            volume: nullableNumbers,
          }),
        )
        .optional(),
    })
    .optional(),
});
export type ChartResult = z.infer<typeof chartResultSchema>;

/**
 * A price counts as real time only when Yahoo says so: no exchange delay and a real-time quote
 * source. Absent fields (the usual chart body) mean delayed: users must never mistake it for live.
 */
export function isDelayed(meta: ChartMeta): boolean {
  if (meta.exchangeDataDelayedBy === undefined || meta.exchangeDataDelayedBy > 0) return true;
  return !/real ?time/i.test(meta.quoteSourceName ?? "");
}

/** A live price as the poller uses it. */
export interface YahooPrice {
  symbol: string;
  price: number;
  /** Epoch ms of Yahoo's `regularMarketTime`. */
  time: number;
  delayed: boolean;
}
