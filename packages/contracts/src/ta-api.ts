import { z } from "zod";

/** `GET /api/symbols`: the symbols the server tracks. */
export const symbolListResponseSchema = z.object({
  symbols: z.array(z.object({ symbol: z.string(), name: z.string(), active: z.boolean() })),
});
export type SymbolListResponse = z.infer<typeof symbolListResponseSchema>;

/**
 * `{time, value}`, `{time, middle, upper, lower}` or `{time, macd, signal, histogram}`; a field may be
 * null while its indicator warms up (MACD's signal line starts later than the MACD line).
 */
const indicatorPointSchema = z.object({ time: z.string() }).catchall(z.number().nullable());

export const indicatorSeriesSchema = z.object({
  id: z.string(),
  kind: z.string(),
  points: z.array(indicatorPointSchema),
});
export type IndicatorSeries = z.infer<typeof indicatorSeriesSchema>;

/** `GET /api/torghut/ta/signals?symbol=&interval=&indicators=&from=`. */
export const signalsResponseSchema = z.object({ indicators: z.array(indicatorSeriesSchema) });
export type SignalsResponse = z.infer<typeof signalsResponseSchema>;

/** `GET /api/torghut/ta/latest?symbol=`: the live price and how late it is. */
export const latestPriceResponseSchema = z.object({
  symbol: z.string(),
  price: z.number().nullable(),
  eventTime: z.string().nullable(),
  lagMs: z.number().nullable(),
  source: z.string().nullable(),
  delayed: z.boolean().nullable(),
  live: z.boolean(),
});
export type LatestPriceResponse = z.infer<typeof latestPriceResponseSchema>;
