import type { MarketClockSource } from "@torghut/contracts";

/** One reading of a market clock (epoch ms). */
export interface MarketClockReading {
  open: boolean;
  nextOpen: number;
  nextClose: number;
  /** The last regular-session close at or before `now`; null when the clock cannot say. */
  lastClose: number | null;
}

/**
 * The port every market clock implements: Alpaca's trading-API clock and the local NYSE calendar.
 * `read` may fail (the trading API is remote); MarketHours then asks the next clock.
 */
export interface MarketClock {
  readonly name: MarketClockSource;
  read(now: number): Promise<MarketClockReading>;
}

/** A clock that cannot be read (unreachable, refused, answered nonsense): retryable, by nature. */
export class MarketClockUnavailableError extends Error {
  override readonly name = "MarketClockUnavailableError";
  readonly retryable = true;
}
