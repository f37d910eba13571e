import type { Bar1m } from "@torghut/contracts";
import YahooFinance from "yahoo-finance2";
import { ExtendedCookieJar } from "yahoo-finance2/lib/cookieJar";
import type { Logger } from "../../logger";
import { boundedFetch } from "./bounded-fetch";
import { minuteBarsOf, parseChart, priceOf } from "./chart-parser";
import { classifyYahooError } from "./errors";
import type { ChartResult, YahooPrice } from "./messages";

export type { YahooPrice };

/** What the poller and the standby probe need from the client (the real one is `YahooClient`). */
export interface PriceReader {
  latestPrice(symbol: string): Promise<YahooPrice>;
}

export interface YahooClientOptions {
  /** YAHOO_BASE_URL: every request (crumb steps too) is rewritten to this origin. */
  baseUrl: string;
  logger: Logger;
  /** Clock reading for query windows (the library itself uses the wall clock for `period2`). */
  now?: () => number;
  /** Requests in flight at most (yahoo-finance2's per-instance queue). */
  maxConcurrentRequests?: number;
  fetchImpl?: typeof fetch;
  /** Deadline for one request, headers and body (YAHOO_REQUEST_TIMEOUT_SECONDS; default 10 s). */
  requestTimeoutMs?: number;
  /** Largest body read (default 4 MiB: a week of 1m bars for one symbol is ~300 KB). */
  maxResponseBytes?: number;
}

/**
 * The raw Yahoo client: `chart()` only (no crumb needed), through yahoo-finance2 configured so that
 * nothing escapes to the real internet or to the npm registry (reference §5.3, stack-notes).
 */
export class YahooClient {
  private readonly yf: InstanceType<typeof YahooFinance>;
  private readonly now: () => number;

  constructor(private readonly options: YahooClientOptions) {
    const base = new URL(options.baseUrl);
    const innerFetch = boundedFetch(options.fetchImpl ?? globalThis.fetch, {
      timeoutMs: options.requestTimeoutMs ?? 10_000,
      maxBytes: options.maxResponseBytes ?? 4 * 1024 * 1024,
    });
    const rewritingFetch: typeof fetch = (input, init) => {
      const original = new URL(
        typeof input === "string" ? input : input instanceof URL ? input.href : input.url,
      );
      const target = new URL(`${original.pathname}${original.search}`, base);
      return innerFetch(target, init);
    };
    this.now = options.now ?? Date.now;
    this.yf = new YahooFinance({
      fetch: rewritingFetch,
      // Each instance its own jar: the default one (and its cached crumb) is shared process-wide.
      cookieJar: new ExtendedCookieJar(),
      // Otherwise a validation failure queries the npm registry through the global fetch.
      versionCheck: false,
      suppressNotices: ["yahooSurvey"],
      validation: { logErrors: false, logOptionsErrors: false },
      queue: { concurrency: options.maxConcurrentRequests ?? 4 },
      logger: {
        info: (...args: unknown[]) => options.logger.debug({ args }, "yahoo-finance2"),
        warn: (...args: unknown[]) => options.logger.warn({ args }, "yahoo-finance2"),
        error: (...args: unknown[]) => options.logger.error({ args }, "yahoo-finance2"),
        debug: (...args: unknown[]) => options.logger.trace({ args }, "yahoo-finance2"),
        dir: (...args: unknown[]) => options.logger.trace({ args }, "yahoo-finance2"),
      },
    });
  }

  /** The live price from `meta.regularMarketPrice` / `regularMarketTime` (the current market, not the range). */
  async latestPrice(symbol: string): Promise<YahooPrice> {
    const now = this.now();
    return priceOf(symbol, await this.chart(symbol, now - 5 * 60_000, now + 60_000, "1m"));
  }

  /**
   * The close before `sessionStartMs` (Yahoo's `chartPreviousClose` of a daily chart starting there):
   * the previous session's close. null when Yahoo does not say.
   */
  async previousClose(symbol: string, sessionStartMs: number): Promise<number | null> {
    const result = await this.chart(symbol, sessionStartMs, this.now() + 60_000, "1d");
    return result.meta.chartPreviousClose ?? null;
  }

  /** One-minute bars for [startMs, endMs); minutes without trades (null arrays) are skipped. */
  async minuteBars(symbol: string, startMs: number, endMs: number): Promise<Bar1m[]> {
    return minuteBarsOf(symbol, await this.chart(symbol, startMs, endMs, "1m"), startMs, endMs);
  }

  private async chart(
    symbol: string,
    startMs: number,
    endMs: number,
    interval: "1m" | "1d",
  ): Promise<ChartResult> {
    let raw: unknown;
    try {
      raw = await this.yf.chart(
        symbol,
        {
          period1: Math.floor(startMs / 1000),
          period2: Math.max(Math.floor(endMs / 1000), Math.floor(startMs / 1000) + 60),
          interval,
          includePrePost: false,
          events: "",
          return: "object",
        },
        { validateResult: false },
      );
    } catch (err) {
      throw classifyYahooError(err, symbol);
    }
    return parseChart(raw, symbol);
  }
}
