import type { Logger } from "../../logger";
import {
  AlpacaConfigurationError,
  AlpacaConnectionLimitError,
  AlpacaSlowClientError,
  reactionToCode,
} from "./errors";
import type { ErrorMessage } from "./messages";
import * as metrics from "./metrics";
import { streamErrorHint } from "./upgrade-refusal";

/** What the stream client lets an upstream error message do to its session. */
export interface ErrorReactionTarget {
  readonly log: Logger;
  readonly connectionLimitDelayMs: number;
  /** ALPACA_FEED, named in what a configuration error says to check. */
  readonly feed: string;
  setLastError(text: string): void;
  enterConfigurationError(error: AlpacaConfigurationError): void;
  /** Drop the session and reconnect after the backoff (at least `floorMs`). */
  abandon(reason: string, floorMs?: number): void;
  /** 405: keep what is held, report what was refused, and count the session as up. */
  symbolLimit(): void;
}

/**
 * One upstream `{"T":"error"}` message → its reaction (reference §1.5): configuration errors stop
 * retrying, 406 waits out the stale-session window, 407 reconnects, 405 keeps the subscriptions,
 * 403 is ignored, 400/401 are our own bug.
 */
export function reactToStreamError(message: ErrorMessage, target: ErrorReactionTarget): void {
  const { code, msg } = message;
  metrics.alpacaStreamErrors.inc({ code: String(code) });
  const text = `Alpaca error ${code}: ${msg}`;
  switch (reactionToCode(code)) {
    case "configuration":
      target.enterConfigurationError(
        new AlpacaConfigurationError(`${text} — ${streamErrorHint(code, target.feed)}`, code),
      );
      return;
    case "connection-limit":
      target.setLastError(new AlpacaConnectionLimitError(text, code).message);
      target.log.warn({ code }, "Alpaca connection limit: backing off past the stale-session window");
      target.abandon(text, target.connectionLimitDelayMs);
      return;
    case "slow-client":
      target.setLastError(new AlpacaSlowClientError(text, code).message);
      target.log.warn({ code }, "Alpaca reports a slow client; reconnecting");
      target.abandon(text);
      return;
    case "symbol-limit":
      target.setLastError(text);
      target.symbolLimit();
      return;
    case "ignore":
      target.log.debug({ code }, "ignored Alpaca error");
      return;
    case "our-bug":
      target.setLastError(text);
      target.log.error({ code, alpacaMessage: msg }, "Alpaca rejected a message we sent");
      return;
    default:
      target.setLastError(text);
      target.log.warn({ code, alpacaMessage: msg }, "Alpaca stream error");
  }
}
