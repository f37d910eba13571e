import type { Clock } from "../clock";
import type { ServerConfig } from "../config";
import type { Logger } from "../logger";
import { MarketHours } from "../market-hours/market-hours";
import { LocalNyseCalendar } from "../market-hours/nyse-calendar";
import { TradingApiClock } from "../market-hours/trading-api-clock";
import { AlpacaRestClient, type CredentialsProvider } from "../sources/alpaca";

/**
 * Alpaca's trading API allows 200 requests a minute per account, shared with whatever else uses the
 * account (orders): the market clock never asks more than this.
 */
export const MARKET_CLOCK_MAX_REQUESTS_PER_MINUTE = 150;

/**
 * The clock's request budget: a read every MARKET_CLOCK_REFRESH_SECONDS, with room for the read due
 * at each open and close and a retry. A budget under the refresh rate delayed every read behind the
 * last one (at 0.5 s, 30 a minute kept the reads 2 s apart).
 */
export function marketClockRequestsPerMinute(refreshSeconds: number): number {
  return Math.min(MARKET_CLOCK_MAX_REQUESTS_PER_MINUTE, Math.max(30, Math.ceil(60 / refreshSeconds) + 10));
}

/**
 * The market clock for one ingest term: Alpaca's trading-API clock at ALPACA_TRADING_URL when there
 * are keys to ask with, the local NYSE calendar otherwise (and whenever the clock cannot be read).
 */
export function createMarketHours(
  config: ServerConfig,
  credentials: CredentialsProvider,
  logger: Logger,
  clock: Clock,
): MarketHours {
  const hasKeys =
    config.ALPACA_CREDENTIALS_FILE !== undefined ||
    (config.ALPACA_KEY_ID !== undefined && config.ALPACA_SECRET_KEY !== undefined);
  const tradingClock = hasKeys
    ? new TradingApiClock(
        new AlpacaRestClient({
          dataUrl: config.alpacaTradingUrl,
          credentials,
          // The clock's own retry is the next refresh; the calendar stands in meanwhile.
          maxRetries: 0,
          requestsPerMinute: marketClockRequestsPerMinute(config.MARKET_CLOCK_REFRESH_SECONDS),
          requestTimeoutMs: config.ALPACA_REST_TIMEOUT_SECONDS * 1000,
          clock,
          logger: logger.child({ component: "market-clock" }),
        }),
      )
    : null;
  return new MarketHours({
    tradingClock,
    calendar: new LocalNyseCalendar(),
    clock,
    logger: logger.child({ component: "market-hours" }),
    refreshMs: config.MARKET_CLOCK_REFRESH_SECONDS * 1000,
  });
}
