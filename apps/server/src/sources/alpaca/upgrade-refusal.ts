import { AlpacaConfigurationError, AlpacaConnectionLimitError } from "./errors";

/** Where the session was going, for messages that say what to check. */
export interface StreamTarget {
  url: string;
  feed: string;
  /** The socket's frame limit (ws maxPayload). */
  maxFrameBytes: number;
}

/** How a session that never opened (or broke at the transport) ends. */
export type SessionEnd =
  /** Settings are wrong: report at once (not a flaky network), retry only slowly. */
  | { kind: "configuration"; error: AlpacaConfigurationError }
  /** Reconnect after the backoff, but never sooner than `floorMs`. */
  | { kind: "retry"; reason: string; floorMs: number; oversized?: boolean };

const KEYS = "ALPACA_KEY_ID and ALPACA_SECRET_KEY (or ALPACA_CREDENTIALS_FILE)";

/**
 * An HTTP answer instead of the 101 upgrade. 404 means nothing streams at that URL (a doubled feed
 * path, a wrong host); 401/402/403 mean the keys were refused; 406/429 are Alpaca's connection limit
 * (reference §1.5: back off past the stale-session window); anything else is retried.
 */
export function upgradeRefusal(
  status: number,
  target: StreamTarget,
  connectionLimitDelayMs: number,
): SessionEnd {
  if (status === 404) {
    return configuration(
      `HTTP 404 on the stream upgrade: no Alpaca stream at ${target.url} — check ALPACA_STREAM_URL (the base, e.g. wss://stream.data.alpaca.markets, or the whole URL ending in /v2/${target.feed}) and ALPACA_FEED (${target.feed})`,
      status,
    );
  }
  if (status === 401 || status === 402 || status === 403) {
    return configuration(
      `HTTP ${status} on the stream upgrade: the keys were refused — check ${KEYS}, and that the plan includes the ${target.feed} feed (ALPACA_FEED)`,
      status,
    );
  }
  if (status === 406 || status === 429) {
    const error = new AlpacaConnectionLimitError(
      `HTTP ${status} on the stream upgrade (connection limit: another session with these keys, or one that lingers after a drop)`,
      status,
    );
    return { kind: "retry", reason: error.message, floorMs: connectionLimitDelayMs };
  }
  return { kind: "retry", reason: `HTTP ${status} on the stream upgrade`, floorMs: 0 };
}

/**
 * A socket error: a host that does not resolve is a setting to check; a frame over the limit (ws
 * closes with 1009) is counted by the caller and the session reconnects; the rest is the network.
 */
export function transportFailure(error: Error & { code?: unknown }, target: StreamTarget): SessionEnd {
  if (error.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH") {
    return {
      kind: "retry",
      reason: `a frame over ${target.maxFrameBytes} bytes (the stream's frame limit); reconnecting`,
      floorMs: 0,
      oversized: true,
    };
  }
  if (error.code === "ENOTFOUND") {
    const host = hostOf(target.url);
    return configuration(
      `cannot resolve ${host} (DNS ENOTFOUND) — check ALPACA_STREAM_URL, and this host's DNS`,
      null,
    );
  }
  return { kind: "retry", reason: `socket error: ${error.message}`, floorMs: 0 };
}

/** What to check for each configuration error code Alpaca sends after `auth` (reference §1.5). */
export function streamErrorHint(code: number, feed: string): string {
  switch (code) {
    case 402:
      return `check ${KEYS}`;
    case 408:
      return "the account has no market-data v2 access";
    case 409:
      return `the plan does not include the ${feed} feed — check ALPACA_FEED (iex on the free plan)`;
    case 410:
      return `a channel is not offered on the ${feed} feed — check ALPACA_FEED`;
    case 411:
      return "the OAuth token lacks the market-data scope";
    default:
      return "check the Alpaca settings";
  }
}

function configuration(message: string, code: number | null): SessionEnd {
  return { kind: "configuration", error: new AlpacaConfigurationError(message, code) };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
