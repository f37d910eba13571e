import type { Bar1m, Quote, SourceName, Trade } from "@torghut/contracts";
import pino from "pino";
import type { Logger } from "../../logger";
import { z } from "zod";
import { type Clock, systemClock } from "../../clock";
import type { CredentialsProvider } from "./credentials";
import { AlpacaRestError } from "./errors";
import { toBar, toQuote, toTrade } from "./frame-parser";
import { alpacaRestRequests } from "./metrics";
import { readCapped } from "../http-body";
import { TokenBucket } from "./token-bucket";

export interface AlpacaRestOptions {
  /** https://data.alpaca.markets or the simulator's base URL. */
  dataUrl: string;
  credentials: CredentialsProvider;
  /** Historical feed: `iex` or `sip`; omitted → the best the plan allows. */
  feed?: "iex" | "sip";
  /** The stream's feed is delayed (delayed_sip): latest trades/snapshots carry `delayed: true`. */
  delayed?: boolean;
  requestsPerMinute?: number;
  clock?: Clock;
  fetch?: typeof fetch;
  logger?: Logger;
  /** Retries for 429, 5xx and network failures, with exponential delays from `retryBaseDelayMs`. */
  maxRetries?: number;
  retryBaseDelayMs?: number;
  /** Deadline for one request, headers and body (ALPACA_REST_TIMEOUT_SECONDS; default 10 s). */
  requestTimeoutMs?: number;
  /** Largest body read (default 32 MiB; a full 10,000-bar page is ~1.2 MB). */
  maxResponseBytes?: number;
  pageLimit?: number;
}

const barSchema = z.looseObject({
  t: z.string(),
  o: z.number(),
  h: z.number(),
  l: z.number(),
  c: z.number(),
  v: z.number(),
});
const multiBarsSchema = z.looseObject({
  bars: z
    .record(z.string(), z.array(z.looseObject({})).nullable())
    .nullable()
    .catch({})
    .default({}),
  next_page_token: z.string().nullable().optional(),
});
const latestTradesSchema = z.looseObject({
  trades: z.record(z.string(), z.looseObject({})).catch({}).default({}),
});
const snapshotsSchema = z.record(z.string(), z.looseObject({}).nullable());

export interface AlpacaSnapshot {
  latestTrade: Trade | null;
  latestQuote: Quote | null;
  minuteBar: Bar1m | null;
  dailyBar: Bar1m | null;
  prevDailyBar: Bar1m | null;
}

/**
 * Alpaca historical REST (reference §2): multi-symbol bars with pagination, latest trades, snapshots.
 * Requests wait for a token-bucket slot (≤ ALPACA_REST_REQUESTS_PER_MINUTE) and retry 429/5xx with
 * backoff; responses are parsed permissively at the edge.
 */
export class AlpacaRestClient {
  private readonly bucket: TokenBucket;
  private readonly clock: Clock;
  private readonly fetchImpl: typeof fetch;
  private readonly log: Logger;
  private readonly baseUrl: string;

  constructor(private readonly options: AlpacaRestOptions) {
    this.baseUrl = options.dataUrl.replace(/\/+$/, "");
    this.clock = options.clock ?? systemClock;
    this.fetchImpl = options.fetch ?? fetch;
    this.bucket = new TokenBucket(this.clock, options.requestsPerMinute ?? 180);
    this.log = options.logger ?? pino({ enabled: false });
  }

  /**
   * One-minute (or other `timeframe`) bars for every symbol in [start, end], following
   * `next_page_token` until the last page (pages are ordered by symbol first, so one page may hold
   * only the first symbol). Sorted by symbol, then minute. `source` defaults to "backfill".
   */
  async fetchBars(
    symbols: readonly string[],
    start: string | Date,
    end: string | Date,
    timeframe = "1Min",
    source: SourceName = "backfill",
  ): Promise<Bar1m[]> {
    if (symbols.length === 0) return [];
    const bars: Bar1m[] = [];
    let pageToken: string | null = null;
    do {
      const params = new URLSearchParams({
        symbols: symbols.join(","),
        timeframe,
        start: typeof start === "string" ? start : start.toISOString(),
        end: typeof end === "string" ? end : end.toISOString(),
        limit: String(this.options.pageLimit ?? 10_000),
      });
      if (this.options.feed) params.set("feed", this.options.feed);
      if (pageToken !== null) params.set("page_token", pageToken);
      const page = multiBarsSchema.parse(await this.get("bars", `/v2/stocks/bars?${params.toString()}`));
      for (const [symbol, items] of Object.entries(page.bars ?? {})) {
        for (const item of items ?? []) {
          const bar = parseBar(symbol, item, source, this.options.delayed ?? false);
          if (bar !== null) bars.push(bar);
        }
      }
      pageToken = page.next_page_token ?? null;
    } while (pageToken !== null && pageToken !== "");
    return bars.sort((a, b) =>
      a.symbol === b.symbol ? a.minute.localeCompare(b.minute) : a.symbol.localeCompare(b.symbol),
    );
  }

  /** The latest trade per symbol; symbols Alpaca has no trade for are absent. */
  async latestTrades(symbols: readonly string[]): Promise<Map<string, Trade>> {
    const params = new URLSearchParams({ symbols: symbols.join(",") });
    if (this.options.feed) params.set("feed", this.options.feed);
    const body = latestTradesSchema.parse(
      await this.get("latest_trades", `/v2/stocks/trades/latest?${params.toString()}`),
    );
    const receivedAt = this.clock.now();
    const result = new Map<string, Trade>();
    for (const [symbol, raw] of Object.entries(body.trades)) {
      const trade = toTrade({ ...raw, S: symbol }, receivedAt, this.options.delayed ?? false);
      if (trade !== null) result.set(symbol, trade);
    }
    return result;
  }

  /** Snapshots keyed by symbol; any part may be missing (null). */
  async snapshots(symbols: readonly string[]): Promise<Map<string, AlpacaSnapshot>> {
    const params = new URLSearchParams({ symbols: symbols.join(",") });
    if (this.options.feed) params.set("feed", this.options.feed);
    const body = snapshotsSchema.parse(
      await this.get("snapshots", `/v2/stocks/snapshots?${params.toString()}`),
    );
    const receivedAt = this.clock.now();
    const delayed = this.options.delayed ?? false;
    const result = new Map<string, AlpacaSnapshot>();
    for (const [symbol, raw] of Object.entries(body)) {
      if (raw === null) continue;
      const part = (key: string) => {
        const value = raw[key];
        return typeof value === "object" && value !== null
          ? { ...(value as Record<string, unknown>), S: symbol }
          : null;
      };
      const trade = part("latestTrade");
      const quote = part("latestQuote");
      result.set(symbol, {
        latestTrade: trade ? toTrade(trade, receivedAt, delayed) : null,
        latestQuote: quote ? toQuote({ c: [], ...quote }, receivedAt, delayed) : null,
        minuteBar: parseBar(symbol, raw.minuteBar, "alpaca", delayed),
        dailyBar: parseBar(symbol, raw.dailyBar, "alpaca", delayed),
        prevDailyBar: parseBar(symbol, raw.prevDailyBar, "alpaca", delayed),
      });
    }
    return result;
  }

  /**
   * One authenticated GET (the bucket, the deadline, the retries), parsed as JSON. Also used against
   * the trading API (ALPACA_TRADING_URL as `dataUrl`) for the market clock and calendar.
   */
  async get(endpoint: string, path: string): Promise<unknown> {
    const maxRetries = this.options.maxRetries ?? 5;
    for (let attempt = 0; ; attempt++) {
      await this.bucket.take();
      const { keyId, secretKey } = await this.options.credentials.load();
      let status = 0;
      let failure: AlpacaRestError;
      try {
        // The deadline covers the body too: headers on time and then a stalled body is still a hang.
        const response = await this.withTimeout(async (signal) => {
          const answer = await this.fetchImpl(`${this.baseUrl}${path}`, {
            headers: {
              "APCA-API-KEY-ID": keyId,
              "APCA-API-SECRET-KEY": secretKey,
              accept: "application/json",
            },
            signal,
          });
          const maxBytes = this.options.maxResponseBytes ?? 32 * 1024 * 1024;
          const bytes = await readCapped(answer, maxBytes, () => new Error(`answer over ${maxBytes} bytes`));
          return { status: answer.status, ok: answer.ok, body: new TextDecoder().decode(bytes) };
        });
        status = response.status;
        alpacaRestRequests.inc({ endpoint, status: String(status) });
        if (response.ok) return JSON.parse(response.body) as unknown;
        const text = response.body.slice(0, 200);
        failure = new AlpacaRestError(`Alpaca REST ${endpoint} answered ${status}: ${text}`, status);
      } catch (error) {
        if (status === 0) alpacaRestRequests.inc({ endpoint, status: "0" });
        failure = new AlpacaRestError(`Alpaca REST ${endpoint} failed: ${(error as Error).message}`, status, {
          cause: error,
        });
      }
      if (!failure.retryable || attempt >= maxRetries) throw failure;
      if (status === 429) this.bucket.drain();
      const delay = (this.options.retryBaseDelayMs ?? 1_000) * 2 ** attempt;
      this.log.warn({ endpoint, status, attempt, delay }, "Alpaca REST retry");
      await new Promise<void>((resolve) => this.clock.setTimeout(resolve, delay));
    }
  }

  private async withTimeout<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const timer = this.clock.setTimeout(() => controller.abort(), this.options.requestTimeoutMs ?? 10_000);
    try {
      return await run(controller.signal);
    } finally {
      this.clock.clearTimeout(timer);
    }
  }
}

function parseBar(symbol: string, raw: unknown, source: SourceName, delayed: boolean): Bar1m | null {
  const parsed = barSchema.safeParse(raw);
  if (!parsed.success) return null;
  const bar = toBar({ ...parsed.data, S: symbol }, delayed);
  return bar === null ? null : { ...bar, source };
}

/** Which historical feed matches a stream feed: delayed_sip history is SIP; the test feed has none. */
export function historicalFeedFor(streamFeed: string): "iex" | "sip" | undefined {
  if (streamFeed === "iex") return "iex";
  if (streamFeed === "sip" || streamFeed === "delayed_sip") return "sip";
  return undefined;
}
