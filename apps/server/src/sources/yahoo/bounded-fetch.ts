import { readCapped } from "../http-body";
import { YahooMalformedResponseError, YahooResponseTooLargeError, YahooTimeoutError } from "./errors";

export interface FetchBounds {
  /** The whole exchange — headers and body — must finish within this (YAHOO_REQUEST_TIMEOUT_SECONDS). */
  timeoutMs: number;
  /** A body larger than this is refused, not buffered. */
  maxBytes: number;
}

/** Yahoo's JSON endpoints: an HTML page there is a consent wall, a block page or a captive portal. */
const JSON_PATHS = /^\/(v7|v8|v10)\//;

/**
 * Wraps the fetch yahoo-finance2 uses (for chart, quote and the crumb steps alike) so that no Yahoo
 * request can hang, flood memory, or pass an HTML page off as an answer. The library has no timeout
 * of its own (reference §5.6), and one request that never answers would stall its queue for good.
 */
export function boundedFetch(inner: typeof fetch, bounds: FetchBounds): typeof fetch {
  return async (input, init) => {
    const deadline = AbortSignal.timeout(bounds.timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
    const path = new URL(input instanceof Request ? input.url : String(input)).pathname;
    try {
      const response = await inner(input, { ...init, signal });
      const type = response.headers.get("content-type") ?? "";
      if (response.ok && JSON_PATHS.test(path) && /text\/html/i.test(type)) {
        await response.body?.cancel();
        throw new YahooMalformedResponseError(
          "Yahoo answered an HTML page instead of JSON (a consent wall, a block page or a captive portal) — check YAHOO_BASE_URL and this host's access to Yahoo",
          response.status,
        );
      }
      const body = await readCapped(response, bounds.maxBytes, () =>
        tooLarge(bounds.maxBytes, response.status),
      );
      return new Response(body, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    } catch (error) {
      if (deadline.aborted) {
        throw new YahooTimeoutError(
          `Yahoo did not answer within ${bounds.timeoutMs / 1000} s (YAHOO_REQUEST_TIMEOUT_SECONDS)`,
          null,
          { cause: error },
        );
      }
      throw error;
    }
  };
}

function tooLarge(maxBytes: number, status: number): YahooResponseTooLargeError {
  return new YahooResponseTooLargeError(`Yahoo's answer exceeded ${maxBytes} bytes; refused`, status);
}
