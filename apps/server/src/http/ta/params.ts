import { symbolSchema } from "@torghut/contracts";
import { IndicatorInputError, parseIndicatorSpec, type IndicatorSpec } from "@torghut/indicators";
import { z } from "zod";
import { taRefused } from "./metrics";

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

/** The largest epoch ms a JavaScript Date (and so an ISO-8601 answer) can hold. */
const MAX_DATE_MS = 8.64e15;

/** Accepts ISO-8601 or epoch milliseconds/seconds (as lightweight-charts and curl users send). */
const instant = z
  .string()
  .trim()
  .max(40)
  .transform((value, ctx) => {
    const numeric = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    const ms = Number.isFinite(numeric) ? (numeric < 1e11 ? numeric * 1000 : numeric) : Date.parse(value);
    if (!Number.isFinite(ms)) {
      ctx.addIssue({ code: "custom", message: "must be an ISO-8601 time or epoch milliseconds" });
      return z.NEVER;
    }
    // Past this `new Date(ms).toISOString()` throws a RangeError: a 400 here, not a 500 later.
    if (ms < 0 || ms > MAX_DATE_MS) {
      ctx.addIssue({ code: "custom", message: "is out of range (1970 to year 275760)" });
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

  constructor(message: string) {
    super(message);
    taRefused.inc({ reason: "bad_query" });
  }
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

/** Distinct indicators one signals request may ask for. */
export const MAX_INDICATORS = 8;
/**
 * Work one signals request may ask for, in bar-passes: an indicator's cost is the work it does per
 * bar (Bollinger recomputes its window: its period; EMA, RSI, MACD and VWAP are constant), summed.
 * 2,000 allows two Bollinger bands of the longest period; 14 of them (1.2 s of CPU on the HTTP thread
 * over 10,000 bars) are refused.
 */
export const MAX_INDICATOR_COST = 2000;

function indicatorCost(spec: IndicatorSpec): number {
  return spec.kind === "bollinger" ? spec.period : 1;
}

const signalsQuery = rangeQuery.extend({
  indicators: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .default("ema,bollinger,vwap,macd,rsi")
    .transform((s, ctx) => {
      const texts = [
        ...new Set(
          s
            .split(",")
            .map((x) => x.trim())
            .filter(Boolean),
        ),
      ];
      if (texts.length > MAX_INDICATORS) {
        ctx.addIssue({ code: "custom", message: `at most ${MAX_INDICATORS} indicators per request` });
        return z.NEVER;
      }
      let cost = 0;
      for (const text of texts) {
        try {
          cost += indicatorCost(parseIndicatorSpec(text));
        } catch (error) {
          // A bad name or parameter: computeIndicators says which, with the same message.
          if (error instanceof IndicatorInputError) continue;
          throw error;
        }
      }
      if (cost > MAX_INDICATOR_COST) {
        ctx.addIssue({
          code: "custom",
          message: `too costly: the periods of the Bollinger bands asked for add up to more than ${MAX_INDICATOR_COST}`,
        });
        return z.NEVER;
      }
      return texts;
    }),
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

/** Symbols one session request may name: the watchlist asks for all of its rows at once. */
export const MAX_SESSION_SYMBOLS = 500;

const sessionQuery = z.strictObject({
  symbols: z
    .string()
    .trim()
    .min(1, "must name at least one symbol")
    .transform((s) => [
      ...new Set(
        s
          .toUpperCase()
          .split(",")
          .map((x) => x.trim()),
      ),
    ])
    .pipe(
      z.array(symbolSchema).max(MAX_SESSION_SYMBOLS, `at most ${MAX_SESSION_SYMBOLS} symbols per request`),
    ),
});

/** `GET /api/torghut/ta/session?symbols=AAPL,MSFT`: comma-separated, duplicates folded. */
export function parseSessionQuery(raw: unknown): { symbols: string[] } {
  const parsed = sessionQuery.safeParse(raw);
  if (!parsed.success) throw new BadQueryError(describe(parsed.error));
  return parsed.data;
}
