import { symbolSchema } from "@torghut/contracts";
import { z } from "zod";

/** Strict query schemas for our own API: unknown parameters and bad values are a 400, never guessed. */
export const intervalSchema = z.enum(["1m", "5m", "15m", "1h", "1d"]);
export type BarInterval = z.infer<typeof intervalSchema>;

export const INTERVAL_MS: Record<BarInterval, number> = {
  "1m": 60_000,
  "5m": 300_000,
  "15m": 900_000,
  "1h": 3_600_000,
  "1d": 86_400_000,
};

/** Longest range a single request may ask for, per interval (keeps every answer small and fast). */
const MAX_RANGE_MS: Record<BarInterval, number> = {
  "1m": 7 * 86_400_000,
  "5m": 31 * 86_400_000,
  "15m": 93 * 86_400_000,
  "1h": 366 * 86_400_000,
  "1d": 10 * 366 * 86_400_000,
};

/** Range used when `from` is omitted. */
const DEFAULT_RANGE_MS: Record<BarInterval, number> = {
  "1m": 86_400_000,
  "5m": 5 * 86_400_000,
  "15m": 15 * 86_400_000,
  "1h": 60 * 86_400_000,
  "1d": 5 * 366 * 86_400_000,
};

/** Accepts ISO-8601 or epoch milliseconds/seconds (as lightweight-charts and curl users send). */
const instant = z
  .string()
  .trim()
  .transform((value, ctx) => {
    const numeric = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    const ms = Number.isFinite(numeric) ? (numeric < 1e11 ? numeric * 1000 : numeric) : Date.parse(value);
    if (!Number.isFinite(ms)) {
      ctx.addIssue({ code: "custom", message: "must be an ISO-8601 time or epoch milliseconds" });
      return z.NEVER;
    }
    return ms;
  });

const rangeQuery = z.strictObject({
  symbol: z
    .string()
    .trim()
    .transform((s) => s.toUpperCase())
    .pipe(symbolSchema),
  interval: intervalSchema.default("1m"),
  from: instant.optional(),
  to: instant.optional(),
});

export interface RangeParams {
  symbol: string;
  interval: BarInterval;
  fromMs: number;
  toMs: number;
}

export class BadQueryError extends Error {
  override readonly name = "BadQueryError";
  readonly retryable = false;
  readonly statusCode = 400;
}

function resolveRange(query: z.infer<typeof rangeQuery>, nowMs: number): RangeParams {
  const toMs = query.to ?? nowMs;
  const fromMs = query.from ?? toMs - DEFAULT_RANGE_MS[query.interval];
  if (fromMs >= toMs) throw new BadQueryError("from must be earlier than to");
  if (toMs - fromMs > MAX_RANGE_MS[query.interval]) {
    throw new BadQueryError(
      `range too long for interval ${query.interval}: at most ${MAX_RANGE_MS[query.interval] / 86_400_000} days`,
    );
  }
  return { symbol: query.symbol, interval: query.interval, fromMs, toMs };
}

function describe(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "query"}: ${i.message}`).join("; ");
}

/**
 * `GET /api/torghut/ta/bars`: symbol, interval (default 1m), from, to, and `format`: `objects` (default,
 * `{…, bars: [{time, open, …}]}`) or `columns` (`{…, format: "columns", time: [], open: [], …,
 * provenance: [{start, source, delayed}]}`, a third of the bytes, for the visuals page's first load).
 */
const barsFormatSchema = z
  .enum(["objects", "columns"], { message: "must be objects or columns" })
  .default("objects");
type BarsFormat = z.infer<typeof barsFormatSchema>;

const barsQuery = rangeQuery.extend({ format: barsFormatSchema });

export function parseBarsQuery(raw: unknown, nowMs: number): RangeParams & { format: BarsFormat } {
  const parsed = barsQuery.safeParse(raw);
  if (!parsed.success) throw new BadQueryError(describe(parsed.error));
  const { format, ...range } = parsed.data;
  return { ...resolveRange(range, nowMs), format };
}

const signalsQuery = rangeQuery.extend({
  indicators: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .default("ema,bollinger,vwap,macd,rsi")
    .transform((s) =>
      s
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean),
    ),
});

export function parseSignalsQuery(raw: unknown, nowMs: number): RangeParams & { indicators: string[] } {
  const parsed = signalsQuery.safeParse(raw);
  if (!parsed.success) throw new BadQueryError(describe(parsed.error));
  const { indicators, ...range } = parsed.data;
  return { ...resolveRange(range, nowMs), indicators };
}

const latestQuery = z.strictObject({
  symbol: z
    .string()
    .trim()
    .transform((s) => s.toUpperCase())
    .pipe(symbolSchema),
});

export function parseLatestQuery(raw: unknown): { symbol: string } {
  const parsed = latestQuery.safeParse(raw);
  if (!parsed.success) throw new BadQueryError(describe(parsed.error));
  return parsed.data;
}
