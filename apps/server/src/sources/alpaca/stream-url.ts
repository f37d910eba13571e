import type { AlpacaFeed } from "./stream-options";

export const ALPACA_FEEDS: readonly AlpacaFeed[] = ["iex", "sip", "delayed_sip", "test"];

/** What ALPACA_STREAM_URL and ALPACA_FEED resolve to, or why they cannot be used together. */
export type StreamEndpoint = { ok: true; baseUrl: string; feed: AlpacaFeed } | { ok: false; problem: string };

const FEED_PATH = /^(.*?)\/(v2|v1beta1|v1beta3)\/([A-Za-z_/]+?)\/?$/;

/**
 * ALPACA_STREAM_URL may be the base (`wss://stream.data.alpaca.markets`, as the client appends
 * `/v2/<feed>`) or the whole URL Alpaca's documentation shows (`…/v2/iex`). A feed in the URL must
 * agree with ALPACA_FEED when both are given; alone, it decides the feed. Pure: config.ts calls it.
 */
export function resolveStreamEndpoint(url: string, feedSetting: AlpacaFeed | undefined): StreamEndpoint {
  const parsed = new URL(url);
  const match = FEED_PATH.exec(parsed.pathname);
  if (match === null) {
    return { ok: true, baseUrl: url.replace(/\/+$/, ""), feed: feedSetting ?? "iex" };
  }
  const [, prefix = "", version, feedPath = ""] = match;
  const feed = feedPath.toLowerCase();
  if (version !== "v2" || !(ALPACA_FEEDS as readonly string[]).includes(feed)) {
    return {
      ok: false,
      problem: `ALPACA_STREAM_URL ends in /${version}/${feedPath}, which is not a stock feed Torghut streams (${ALPACA_FEEDS.map((f) => `/v2/${f}`).join(", ")}); give the base URL (wss://stream.data.alpaca.markets) and set ALPACA_FEED`,
    };
  }
  if (feedSetting !== undefined && feedSetting !== feed) {
    return {
      ok: false,
      problem: `ALPACA_STREAM_URL names the feed "${feed}" (…/v2/${feed}) but ALPACA_FEED is "${feedSetting}"; make them agree, or give the base URL without /v2/${feed}`,
    };
  }
  parsed.pathname = prefix;
  return { ok: true, baseUrl: parsed.toString().replace(/\/+$/, ""), feed: feed as AlpacaFeed };
}
