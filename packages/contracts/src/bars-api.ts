import { z } from "zod";

/** One bar of `GET /api/torghut/ta/bars` (`time` ISO, the interval's start) with its provenance. */
export const apiBarSchema = z.object({
  time: z.string(),
  open: z.number(),
  high: z.number(),
  low: z.number(),
  close: z.number(),
  volume: z.number(),
  source: z.string(),
  delayed: z.boolean(),
});
export type ApiBar = z.infer<typeof apiBarSchema>;

/** `GET /api/torghut/ta/bars?symbol=&interval=&from=`: bars oldest first. */
export const barsResponseSchema = z.object({
  symbol: z.string(),
  interval: z.string(),
  bars: z.array(apiBarSchema),
});
export type BarsResponse = z.infer<typeof barsResponseSchema>;

/** A provenance run: from bar `start` (UTC seconds) on, bars came from `source` (delayed or not). */
export const provenanceRunSchema = z.object({ start: z.number(), source: z.string(), delayed: z.boolean() });
export type ProvenanceRunRecord = z.infer<typeof provenanceRunSchema>;

/**
 * `format=columns`: the same bars as one array per field (time in UTC seconds), provenance in runs
 * (source and delayed change only at a failover): a third of the bytes and of the API's work.
 */
export const barColumnsResponseSchema = z
  .object({
    symbol: z.string(),
    interval: z.string(),
    format: z.literal("columns"),
    time: z.array(z.number()),
    open: z.array(z.number()),
    high: z.array(z.number()),
    low: z.array(z.number()),
    close: z.array(z.number()),
    volume: z.array(z.number()),
    provenance: z.array(provenanceRunSchema),
  })
  .refine(
    (c) => [c.open, c.high, c.low, c.close, c.volume].every((column) => column.length === c.time.length),
    { message: "columns of different lengths" },
  );
export type BarColumnsResponse = z.infer<typeof barColumnsResponseSchema>;
