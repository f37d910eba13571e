import { SourceError } from "../source-error";

/**
 * What each Alpaca stream error code means for us (reference §1.5, §7.3). The class decides the
 * client's reaction: configuration errors stop retrying, connection limits back off past the stale-
 * session window, slow-client reconnects, symbol limits keep the session, the rest are logged.
 */
export abstract class AlpacaError extends SourceError {
  constructor(
    message: string,
    /** The stream error code, or e.g. 429 for an HTTP refusal of the upgrade; null when not from Alpaca. */
    readonly code: number | null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** 402 auth failed, 409 feed not in plan, 410 channel not on this feed, 411 OAuth scope; or no keys. */
export class AlpacaConfigurationError extends AlpacaError {
  readonly retryable = false;
}

/** 406 (one stream per account and endpoint) or HTTP 429 on the upgrade. Never give up: back off. */
export class AlpacaConnectionLimitError extends AlpacaError {
  readonly retryable = true;
}

/** 407: we read too slowly; the server drops us. Reconnect and count. */
export class AlpacaSlowClientError extends AlpacaError {
  readonly retryable = true;
}

/** 405: the subscription would exceed the plan; the previous subscriptions stay in force. */
export class AlpacaSymbolLimitError extends AlpacaError {
  readonly retryable = true;

  constructor(
    message: string,
    readonly refusedSymbols: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(message, 405, options);
  }
}

/** 400/401 (a message we sent broke the protocol: our bug), 500, unknown codes, transport failures. */
export class AlpacaProtocolError extends AlpacaError {
  readonly retryable = true;
}

/** REST failures: `status` is the HTTP status (0 when the request never got an answer). */
export class AlpacaRestError extends SourceError {
  readonly retryable: boolean;
  readonly status: number;

  constructor(message: string, status: number, options?: { cause?: unknown }) {
    super(message, options);
    this.status = status;
    this.retryable = status === 0 || status === 429 || status >= 500;
  }
}

export type ErrorReaction =
  "configuration" | "connection-limit" | "slow-client" | "symbol-limit" | "ignore" | "our-bug" | "log";

/** How the stream client reacts to an error code; a table so tests can check it exhaustively. */
export function reactionToCode(code: number): ErrorReaction {
  switch (code) {
    case 402:
    case 408: // "v2 not enabled": only in the old docs, but as final as 409 when it comes
    case 409:
    case 410:
    case 411:
      return "configuration";
    case 406:
      return "connection-limit";
    case 407:
      return "slow-client";
    case 405:
      return "symbol-limit";
    case 403:
      return "ignore";
    case 400:
    case 401:
      return "our-bug";
    default:
      return "log";
  }
}
