import { nyDate } from "@torghut/contracts";
import { getHolidays } from "nyse-holidays";
import type { MarketClock, MarketClockReading } from "./market-clock";
import { addDays, nyInstant, weekday } from "./ny-time";

interface Session {
  open: number;
  close: number;
}

/** How far to look for the next or the last session (the longest NYSE closure run is a few days). */
const SEARCH_DAYS = 14;

/**
 * The local fallback clock: NYSE regular sessions 09:30–16:00 New York, no sessions on weekends or
 * exchange holidays (nyse-holidays), and the 13:00 early closes (July 3, the day after Thanksgiving,
 * December 24, when those are trading days). It cannot know unscheduled closures; the trading-API
 * clock decides whenever it can be reached.
 */
export class LocalNyseCalendar implements MarketClock {
  readonly name = "local-calendar" as const;
  private readonly holidays = new Map<number, Set<string>>();

  read(now: number): Promise<MarketClockReading> {
    return Promise.resolve(this.readSync(now));
  }

  readSync(now: number): MarketClockReading {
    const today = nyDate(now);
    const current = this.session(today);
    const open = current !== null && now >= current.open && now < current.close;
    let nextOpen = Number.NaN;
    let nextClose = open ? current.close : Number.NaN;
    for (let i = 0; i <= SEARCH_DAYS && Number.isNaN(nextOpen); i++) {
      const session = this.session(addDays(today, i));
      if (session === null || session.open <= now) continue;
      nextOpen = session.open;
      if (!open) nextClose = session.close;
    }
    let lastClose: number | null = null;
    for (let i = 0; i <= SEARCH_DAYS && lastClose === null; i++) {
      const session = this.session(addDays(today, -i));
      if (session !== null && session.close <= now) lastClose = session.close;
    }
    return { open, nextOpen, nextClose, lastClose };
  }

  /** The regular session on a New York date, or null on weekends and exchange holidays. */
  session(date: string): Session | null {
    const day = weekday(date);
    if (day === 0 || day === 6 || this.isHoliday(date)) return null;
    return { open: nyInstant(date, 9, 30), close: nyInstant(date, this.isEarlyClose(date) ? 13 : 16, 0) };
  }

  private isEarlyClose(date: string): boolean {
    // Thanksgiving is the fourth Thursday of November; the day after it closes at 13:00.
    const november = `${date.slice(0, 4)}-11-01`;
    const thanksgiving = addDays(november, ((4 - weekday(november) + 7) % 7) + 21);
    return date.endsWith("-07-03") || date.endsWith("-12-24") || date === addDays(thanksgiving, 1);
  }

  private isHoliday(date: string): boolean {
    return this.holidaysOf(Number(date.slice(0, 4))).has(date);
  }

  private holidaysOf(year: number): Set<string> {
    let set = this.holidays.get(year);
    if (set === undefined) {
      set = new Set(getHolidays(year).map((h) => h.dateString));
      this.holidays.set(year, set);
    }
    return set;
  }
}
