import { z } from "zod";

/**
 * Browser-side client for the same-origin Torghut API. Responses are parsed permissively (extra
 * fields pass) so a newer server does not break an older page; a non-2xx answer becomes ApiError
 * with the server's own message, which the error banners show.
 */
export class ApiError extends Error {
  override readonly name = "ApiError";
  readonly retryable: boolean;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.retryable = status === 0 || status === 429 || status >= 500;
  }
}

const errorBody = z.object({ error: z.string().optional(), message: z.string().optional() });

/**
 * The path a message may name: never the scheme, host or query. The server component calls the API
 * by its internal address (TORGHUT_API_URL), and these messages reach the page.
 */
const pathOf = (url: string): string => new URL(url, "http://localhost").pathname;

export async function getJson<T>(url: string, schema: z.ZodType<T>, init?: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, { cache: "no-store", ...init });
  } catch (error) {
    throw new ApiError(0, "network_error", `Network error calling ${pathOf(url)}`, { cause: error });
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const parsed = errorBody.safeParse(body);
    const code = parsed.success ? (parsed.data.error ?? "http_error") : "http_error";
    const message = parsed.success && parsed.data.message ? parsed.data.message : `HTTP ${response.status}`;
    throw new ApiError(response.status, code, message);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new ApiError(response.status, "bad_response", `Unexpected answer from ${pathOf(url)}`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

export const symbolsResponse = z.object({
  symbols: z.array(z.object({ symbol: z.string(), name: z.string(), active: z.boolean() })),
});

export const barSchema = z.object({
  time: z.string(),
  open: z.number(),
  high: z.number(),
  low: z.number(),
  close: z.number(),
  volume: z.number(),
  source: z.string(),
  delayed: z.boolean(),
});
export type ApiBar = z.infer<typeof barSchema>;

export const barsResponse = z.object({ symbol: z.string(), interval: z.string(), bars: z.array(barSchema) });

/**
 * `format=columns`: the same bars as one array per field (time in UTC seconds), provenance in runs
 * (source and delayed change only at a failover). What the visuals page's server component asks
 * for: a third of the bytes and of the API's work.
 */
export const barColumnsResponse = z
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
    provenance: z.array(z.object({ start: z.number(), source: z.string(), delayed: z.boolean() })),
  })
  .refine(
    (c) => [c.open, c.high, c.low, c.close, c.volume].every((column) => column.length === c.time.length),
    { message: "columns of different lengths" },
  );
export type ApiBarColumns = z.infer<typeof barColumnsResponse>;

/**
 * `{time, value}`, `{time, middle, upper, lower}` or `{time, macd, signal, histogram}`; a field may be
 * null while its indicator warms up (MACD's signal line starts later than the MACD line).
 */
const indicatorPoint = z.object({ time: z.string() }).catchall(z.number().nullable());
export const indicatorSchema = z.object({
  id: z.string(),
  kind: z.string(),
  points: z.array(indicatorPoint),
});
export type ApiIndicator = z.infer<typeof indicatorSchema>;
export const signalsResponse = z.object({ indicators: z.array(indicatorSchema) });

export const latestResponse = z.object({
  symbol: z.string(),
  price: z.number().nullable(),
  eventTime: z.string().nullable(),
  lagMs: z.number().nullable(),
  source: z.string().nullable(),
  delayed: z.boolean().nullable(),
  live: z.boolean(),
});
export type LatestPrice = z.infer<typeof latestResponse>;

export const connectionStateSchema = z.enum(["PRIMARY_ACTIVE", "FALLBACK_ACTIVE", "BOTH_UNAVAILABLE"]);
export type ConnectionState = z.infer<typeof connectionStateSchema>;

/** One row's freshness as the server judges it (packages/contracts symbolFreshnessSchema). */
const symbolFreshness = z.object({
  symbol: z.string(),
  lastTradeAt: z.string().nullable(),
  stale: z.boolean(),
  staleReason: z.string().nullable(),
  staleDetail: z.string().nullable(),
});
export type SymbolFreshness = z.infer<typeof symbolFreshness>;

export const stocksHealthResponse = z.object({
  status: z.string(),
  currentDataSource: z.string(),
  connectionState: connectionStateSchema,
  delayed: z.boolean(),
  pricesStale: z.boolean(),
  simulatedMarket: z.boolean(),
  // Newer fields are optional so that a page keeps working against an older server.
  presentation: z.enum(["live", "delayed", "stale", "market-closed"]).optional(),
  market: z
    .object({ open: z.boolean(), decidedBy: z.string(), nextOpen: z.string().nullable() })
    .nullable()
    .optional(),
  lastPriceAt: z.string().nullable().optional(),
  symbols: z.array(symbolFreshness).optional(),
});
export type StocksHealth = z.infer<typeof stocksHealthResponse>;

export const barsUrl = (
  symbol: string,
  interval: string,
  fromMs?: number,
  format: "objects" | "columns" = "objects",
): string =>
  `/api/torghut/ta/bars?symbol=${encodeURIComponent(symbol)}&interval=${interval}` +
  (fromMs === undefined ? "" : `&from=${fromMs}`) +
  (format === "objects" ? "" : `&format=${format}`);
export const signalsUrl = (symbol: string, interval: string, indicators: string, fromMs?: number): string =>
  `/api/torghut/ta/signals?symbol=${encodeURIComponent(symbol)}&interval=${interval}&indicators=${indicators}` +
  (fromMs === undefined ? "" : `&from=${fromMs}`);
export const latestUrl = (symbol: string): string =>
  `/api/torghut/ta/latest?symbol=${encodeURIComponent(symbol)}`;
export const sessionUrl = (symbols: readonly string[]): string =>
  `/api/torghut/ta/session?symbols=${symbols.map(encodeURIComponent).join(",")}`;
