import { nyDate, rfc3339ToMillis } from "@torghut/contracts";
import { z } from "zod";
import type { AlpacaRestClient } from "../sources/alpaca/rest-client";
import { AlpacaRestError } from "../sources/alpaca/errors";
import { type MarketClock, type MarketClockReading, MarketClockUnavailableError } from "./market-clock";
import { addDays, nyInstant } from "./ny-time";

const clockSchema = z.looseObject({
  is_open: z.boolean(),
  next_open: z.string(),
  next_close: z.string(),
});
const calendarSchema = z.array(
  z.looseObject({
    date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    close: z.string().regex(/^\d{2}:\d{2}$/),
  }),
);

/** How far back the calendar is asked for the last close (long weekends, holiday runs). */
const CALENDAR_LOOKBACK_DAYS = 10;

/**
 * Alpaca's trading-API clock (`GET /v2/clock`) and calendar (`GET /v2/calendar`), at
 * ALPACA_TRADING_URL with the market-data keys. It knows what the local calendar cannot (unscheduled
 * closures), so it decides whenever it answers. The calendar is read once per New York day and at
 * each open/close, for the last close.
 */
export class TradingApiClock implements MarketClock {
  readonly name = "trading-api-clock" as const;
  private calendar: { date: string; wasOpen: boolean; lastClose: number | null } | null = null;

  constructor(private readonly rest: Pick<AlpacaRestClient, "get">) {}

  async read(now: number): Promise<MarketClockReading> {
    const clock = clockSchema.safeParse(await this.request("clock", "/v2/clock"));
    if (!clock.success)
      throw new MarketClockUnavailableError("the trading-API clock answered an unexpected body");
    const nextOpen = rfc3339ToMillis(clock.data.next_open);
    const nextClose = rfc3339ToMillis(clock.data.next_close);
    if (Number.isNaN(nextOpen) || Number.isNaN(nextClose)) {
      throw new MarketClockUnavailableError("the trading-API clock answered unreadable times");
    }
    return {
      open: clock.data.is_open,
      nextOpen,
      nextClose,
      lastClose: await this.lastClose(now, clock.data.is_open),
    };
  }

  private async lastClose(now: number, open: boolean): Promise<number | null> {
    const today = nyDate(now);
    const cached = this.calendar;
    if (cached !== null && cached.date === today && cached.wasOpen === open) return cached.lastClose;
    const start = addDays(today, -CALENDAR_LOOKBACK_DAYS);
    const days = calendarSchema.safeParse(
      await this.request("calendar", `/v2/calendar?start=${start}&end=${today}`),
    );
    if (!days.success)
      throw new MarketClockUnavailableError("the trading-API calendar answered an unexpected body");
    let lastClose: number | null = null;
    for (const day of days.data) {
      const [hour, minute] = day.close.split(":").map(Number) as [number, number];
      const close = nyInstant(day.date, hour, minute);
      if (close <= now && (lastClose === null || close > lastClose)) lastClose = close;
    }
    this.calendar = { date: today, wasOpen: open, lastClose };
    return lastClose;
  }

  private async request(endpoint: string, path: string): Promise<unknown> {
    try {
      return await this.rest.get(endpoint, path);
    } catch (error) {
      throw new MarketClockUnavailableError(describe(error), { cause: error });
    }
  }
}

/** Operator text: what failed and what to check (never the keys). */
function describe(error: unknown): string {
  if (error instanceof AlpacaRestError && (error.status === 401 || error.status === 403)) {
    return `the trading-API clock refused the keys (HTTP ${error.status}) — check ALPACA_KEY_ID and ALPACA_SECRET_KEY, and ALPACA_TRADING_URL (paper keys: https://paper-api.alpaca.markets; live keys: https://api.alpaca.markets)`;
  }
  if (error instanceof AlpacaRestError && error.status === 404) {
    return "no trading-API clock at ALPACA_TRADING_URL (HTTP 404) — check ALPACA_TRADING_URL";
  }
  const message = error instanceof Error ? error.message : String(error);
  return `the trading-API clock could not be read (${message}) — check ALPACA_TRADING_URL`;
}
