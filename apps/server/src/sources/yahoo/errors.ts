import { SourceError } from "../source-error";

/**
 * What a Yahoo failure means for the poller (reference §5.6): a 429 backs off with a growing delay,
 * an unknown symbol is dropped from nothing (Yahoo may list it again) but never counted as an outage,
 * everything else is a retryable outage of the fallback.
 */
export abstract class YahooError extends SourceError {
  constructor(
    message: string,
    /** HTTP status when Yahoo answered, null when the request never got an answer. */
    readonly status: number | null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** HTTP 429 (`Too Many Requests` / `Edge: Too Many Requests`, plain text). */
export class YahooRateLimitedError extends YahooError {
  readonly retryable = true;
}

/** Network failure, 5xx, or any other non-OK answer. */
export class YahooUnavailableError extends YahooError {
  readonly retryable = true;
}

/** 404 `No data found, symbol may be delisted`: a symbol problem, not an outage. */
export class YahooSymbolNotFoundError extends YahooError {
  readonly retryable = false;
}

/** No answer within the deadline (headers and body): the request was abandoned. */
export class YahooTimeoutError extends YahooError {
  readonly retryable = true;
}

/** The body was larger than we read; refused before it could fill memory. */
export class YahooResponseTooLargeError extends YahooError {
  readonly retryable = true;
}

/** The body did not have the fields we need (Yahoo changed shape, or garbage). */
export class YahooMalformedResponseError extends YahooError {
  readonly retryable = true;
}

interface LibraryError {
  name?: unknown;
  message?: unknown;
  code?: unknown;
}

/** Maps what yahoo-finance2 throws (HTTPError with `.code`, plain `Error("No data found…")`, fetch TypeError). */
export function classifyYahooError(err: unknown, symbol: string): YahooError {
  if (err instanceof YahooError) return err;
  const e = (typeof err === "object" && err !== null ? err : {}) as LibraryError;
  const message = typeof e.message === "string" ? e.message : String(err);
  const status = e.name === "HTTPError" && typeof e.code === "number" ? e.code : null;
  if (status === 429)
    return new YahooRateLimitedError(`Yahoo rate limited (429) on ${symbol}`, 429, { cause: err });
  if (/No data found|symbol may be delisted/i.test(message)) {
    return new YahooSymbolNotFoundError(`Yahoo has no data for ${symbol}`, 404, { cause: err });
  }
  if (e.name === "FailedYahooValidationError" || /not parsable|Unexpected result/i.test(message)) {
    return new YahooMalformedResponseError(`Yahoo answered ${symbol} with an unexpected body`, status, {
      cause: err,
    });
  }
  const what = status !== null ? `HTTP ${status}` : "no answer";
  return new YahooUnavailableError(`Yahoo unavailable for ${symbol} (${what})`, status, { cause: err });
}
