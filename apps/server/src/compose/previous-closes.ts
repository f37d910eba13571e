import { nyDate } from "@torghut/contracts";
import type { Clock } from "../clock";
import type { ServerConfig } from "../config";
import type { Logger } from "../logger";
import { nyInstant } from "../market-hours/ny-time";
import { AlpacaRestClient, credentialsFromConfig, historicalFeedFor } from "../sources/alpaca";
import { YahooClient } from "../sources/yahoo/client";
import { PreviousCloseBook, type DailyClose, type PreviousCloseSources } from "../http/ta/previous-close";

/**
 * The watchlist's previous closes, asked of the same venues ingest uses (own REST clients: the HTTP
 * side may run without ingest, ROLE=realtime). Alpaca only with streaming enabled (keys present).
 */
export function createPreviousCloseBook(
  config: ServerConfig,
  logger: Logger,
  clock: Clock,
): PreviousCloseBook {
  const log = logger.child({ component: "previous-close" });
  const feed = historicalFeedFor(config.ALPACA_FEED);
  const rest = config.ENABLE_ALPACA_STREAMING
    ? new AlpacaRestClient({
        dataUrl: config.alpacaDataUrl,
        credentials: credentialsFromConfig(config),
        ...(feed ? { feed } : {}),
        requestsPerMinute: 30,
        requestTimeoutMs: config.ALPACA_REST_TIMEOUT_SECONDS * 1000,
        maxRetries: 0,
        clock,
        logger: log,
      })
    : null;
  const yahoo = new YahooClient({
    baseUrl: config.yahooBaseUrl,
    logger: log,
    requestTimeoutMs: config.YAHOO_REQUEST_TIMEOUT_SECONDS * 1000,
  });
  return new PreviousCloseBook({
    clock,
    logger: log,
    sources: {
      ...(rest ? { alpaca: alpacaDailyCloses(rest) } : {}),
      yahoo: yahooSessionClose(yahoo),
    },
  });
}

/** Alpaca snapshots → each symbol's daily bar and the one before, dated in New York. */
export function alpacaDailyCloses(
  rest: Pick<AlpacaRestClient, "snapshots">,
): NonNullable<PreviousCloseSources["alpaca"]> {
  return async (symbols) => {
    const out = new Map<string, DailyClose[]>();
    for (const [symbol, snap] of await rest.snapshots(symbols)) {
      const days = [snap.dailyBar, snap.prevDailyBar].filter((bar) => bar !== null);
      out.set(
        symbol,
        days.map((bar) => ({ date: nyDate(Date.parse(bar.minute)), close: bar.close })),
      );
    }
    return out;
  };
}

/** Yahoo's close before the session's New York midnight. */
export function yahooSessionClose(
  client: Pick<YahooClient, "previousClose">,
): NonNullable<PreviousCloseSources["yahoo"]> {
  return (symbol, session) => client.previousClose(symbol, nyInstant(session, 0, 0));
}
