import { z } from "zod";
import { sourceNameSchema } from "./provenance";
import { symbolSchema } from "./symbols";

/**
 * Where a previous close came from: the source's own daily figure (Alpaca's `prevDailyBar`, Yahoo's
 * `chartPreviousClose`), or the last stored one-minute bar before the session (`stored`), which is
 * only as complete as the bars we kept.
 */
export const previousCloseOriginSchema = z.enum(["alpaca", "yahoo", "stored"]);
export type PreviousCloseOrigin = z.infer<typeof previousCloseOriginSchema>;

/**
 * One symbol's trading day as the watchlist shows it (`GET /api/torghut/ta/session?symbols=`): the
 * previous close that change is measured against, the day's open/high/low/volume from stored bars,
 * the last trade, and an intraday sparkline (one close per 5 minutes). `session` is the New York date of the latest
 * day with bars (the last session when the market is closed); null fields mean "not known", never 0.
 */
export const sessionSummarySchema = z.object({
  symbol: symbolSchema,
  /** The newest accepted trade (live in memory, else stored); null when the symbol never traded. */
  last: z
    .object({
      price: z.number(),
      size: z.number(),
      eventTime: z.string(),
      source: sourceNameSchema,
      delayed: z.boolean(),
    })
    .nullable(),
  session: z.string().nullable(),
  previousClose: z.number().nullable(),
  previousCloseOrigin: previousCloseOriginSchema.nullable(),
  open: z.number().nullable(),
  high: z.number().nullable(),
  low: z.number().nullable(),
  volume: z.number().nullable(),
  /**
   * ISO start of the newest stored minute the day's figures include (null without bars): a client
   * adds the live minutes after it (each tick's \`minuteBar\`) for a volume and range up to now.
   */
  lastMinute: z.iso.datetime().nullable(),
  sparkline: z.array(z.number()),
  source: sourceNameSchema.nullable(),
  delayed: z.boolean().nullable(),
});
export type SessionSummary = z.infer<typeof sessionSummarySchema>;

export const sessionSummariesResponseSchema = z.object({ summaries: z.array(sessionSummarySchema) });
export type SessionSummariesResponse = z.infer<typeof sessionSummariesResponseSchema>;
