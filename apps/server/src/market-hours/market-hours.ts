import type { MarketClockSource, MarketStatus } from "@torghut/contracts";
import type { Logger } from "../logger";
import type { Clock, TimerHandle } from "../clock";
import type { MarketClock, MarketClockReading } from "./market-clock";
import { marketClockReadsTotal, marketOpenGauge } from "./metrics";
import type { LocalNyseCalendar } from "./nyse-calendar";

export interface MarketHoursOptions {
  /** The trading-API clock; null when there is none to ask (the local calendar decides alone). */
  tradingClock: MarketClock | null;
  calendar: LocalNyseCalendar;
  clock: Clock;
  logger: Logger;
  /** MARKET_CLOCK_REFRESH_SECONDS in ms: how often the clock is read again (and at each open/close). */
  refreshMs: number;
}

interface Known {
  reading: MarketClockReading;
  by: MarketClockSource;
  at: number;
  clockError: string | null;
}

/**
 * Whether the US equity session is open now. The trading-API clock decides; the local NYSE calendar
 * only stands in while that clock cannot be read. Between reads the last reading's next open/close
 * carries the answer, and a read is due at each of them. Listeners hear every open and close.
 */
export class MarketHours {
  private known: Known;
  private open: boolean;
  private timer: TimerHandle | null = null;
  /** Due at the last reading's next open or close: the change takes effect then, read or not. */
  private transitionTimer: TimerHandle | null = null;
  private running = false;
  private reading = false;
  private readonly listeners = new Set<(open: boolean) => void>();

  constructor(private readonly options: MarketHoursOptions) {
    const now = options.clock.now();
    // Until the first read answers: the local calendar, so that start-up never guesses.
    this.known = {
      reading: options.calendar.readSync(now),
      by: "local-calendar",
      at: now,
      clockError: options.tradingClock === null ? "no trading-API clock configured" : null,
    };
    this.open = this.projectedOpen(now);
    marketOpenGauge.set(this.open ? 1 : 0);
  }

  /** Reads the clock once (bounded by the REST deadline), then keeps it current. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.refresh();
  }

  stop(): void {
    this.running = false;
    if (this.timer !== null) this.options.clock.clearTimeout(this.timer);
    if (this.transitionTimer !== null) this.options.clock.clearTimeout(this.transitionTimer);
    this.timer = null;
    this.transitionTimer = null;
  }

  /** The last reading projected to now (see `catchUp`). */
  isOpen(): boolean {
    this.catchUp();
    return this.open;
  }

  onChange(listener: (open: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  status(): MarketStatus {
    const { reading, by, at, clockError } = this.known;
    return {
      open: this.open,
      decidedBy: by,
      nextOpen: iso(reading.nextOpen),
      nextClose: iso(reading.nextClose),
      lastClose: iso(reading.lastClose),
      checkedAt: new Date(at).toISOString(),
      clockError,
    };
  }

  /** One read (trading-API clock, else the calendar), then the state change if any, then the next read. */
  async refresh(): Promise<void> {
    if (this.reading) return;
    this.reading = true;
    const { clock, tradingClock, calendar, logger } = this.options;
    try {
      const now = clock.now();
      let clockError: string | null = "no trading-API clock configured";
      if (tradingClock !== null) {
        try {
          this.known = {
            reading: await tradingClock.read(now),
            by: tradingClock.name,
            at: clock.now(),
            clockError: null,
          };
          marketClockReadsTotal.inc({ clock: tradingClock.name, outcome: "ok" });
          return;
        } catch (error) {
          clockError = error instanceof Error ? error.message : String(error);
          marketClockReadsTotal.inc({ clock: tradingClock.name, outcome: "error" });
          if (this.known.clockError !== clockError)
            logger.warn({ clockError }, "Market clock: using the local NYSE calendar");
        }
      }
      this.known = {
        reading: calendar.readSync(clock.now()),
        by: calendar.name,
        at: clock.now(),
        clockError,
      };
      marketClockReadsTotal.inc({ clock: calendar.name, outcome: "ok" });
    } finally {
      this.reading = false;
      this.settle();
    }
  }

  private settle(): void {
    const { clock } = this.options;
    this.catchUp();
    if (!this.running) return;
    const now = clock.now();
    const { nextOpen, nextClose } = this.known.reading;
    const transition = (this.open ? nextClose : nextOpen) - now;
    if (this.timer !== null) clock.clearTimeout(this.timer);
    const wait = transition > 0 ? Math.min(this.options.refreshMs, transition) : this.options.refreshMs;
    this.timer = clock.setTimeout(() => void this.refresh(), Math.max(10, wait));
    if (this.transitionTimer !== null) clock.clearTimeout(this.transitionTimer);
    this.transitionTimer = transition > 0 ? clock.setTimeout(() => this.catchUp(), transition) : null;
  }

  /**
   * Applies the last reading at this instant: a close (or open) the clock announced takes effect at
   * its time, not when the next read returns. A read can be late by seconds (the clock's own request
   * budget, a slow or hung trading API) while the stream falls quiet at the close exactly, and the
   * stream's silence check must then already hear "closed", or the close reads as an outage.
   */
  private catchUp(): void {
    const open = this.projectedOpen(this.options.clock.now());
    if (open === this.open) return;
    this.open = open;
    marketOpenGauge.set(open ? 1 : 0);
    this.options.logger.info(this.status(), `Market ${open ? "open" : "closed"}`);
    for (const listener of this.listeners) listener(open);
  }

  /** The last reading, carried forward past its own next open or close. */
  private projectedOpen(now: number): boolean {
    const { open, nextOpen, nextClose } = this.known.reading;
    if (open) return !(now >= nextClose);
    return now >= nextOpen && now < nextClose;
  }
}

function iso(ms: number | null): string | null {
  return ms === null || Number.isNaN(ms) ? null : new Date(ms).toISOString();
}
