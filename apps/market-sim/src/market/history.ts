/**
 * Bounded in-memory bar history: every minute bar the stream has sent (plus synthetic history from
 * before the simulator started), so REST bars and Yahoo charts agree with what the stream said.
 */
import type { Bar } from "./events";
import { round6 } from "./events";
import { nyDayStart, nyMonthStart, nyWeekStart } from "./time";

export type TimeframeUnit = "Min" | "Hour" | "Day" | "Week" | "Month";
export interface Timeframe {
  n: number;
  unit: TimeframeUnit;
}

export class BarHistory {
  private readonly minutes = new Map<string, Bar[]>();
  /** Synthetic daily bars for days before the minute history begins. */
  private readonly olderDays = new Map<string, Bar[]>();

  constructor(private readonly maxMinutesPerSymbol: number) {}

  symbols(): string[] {
    return [...this.minutes.keys()];
  }

  has(symbol: string): boolean {
    return this.minutes.has(symbol);
  }

  seed(symbol: string, minuteBars: Bar[], dailyBars: Bar[]): void {
    this.minutes.set(symbol, minuteBars);
    this.olderDays.set(symbol, dailyBars);
  }

  addMinute(symbol: string, bar: Bar): void {
    let list = this.minutes.get(symbol);
    if (!list) {
      list = [];
      this.minutes.set(symbol, list);
    }
    list.push(bar);
    if (list.length > this.maxMinutesPerSymbol * 1.1) {
      const dropped = list.splice(0, list.length - this.maxMinutesPerSymbol);
      this.keepAsDaily(symbol, dropped);
    }
  }

  /** Minute bars with start time in [from, to]. */
  minuteBars(symbol: string, from: number, to: number): Bar[] {
    const list = this.minutes.get(symbol) ?? [];
    return list.slice(lowerBound(list, from), lowerBound(list, to + 1));
  }

  lastMinute(symbol: string): Bar | undefined {
    const list = this.minutes.get(symbol);
    return list?.[list.length - 1];
  }

  findMinute(symbol: string, t: number): Bar | undefined {
    const list = this.minutes.get(symbol) ?? [];
    const index = lowerBound(list, t);
    return list[index]?.t === t ? list[index] : undefined;
  }

  /** Earliest minute covered, epoch ms (what Yahoo calls firstTradeDate is older). */
  firstMinute(symbol: string): number | undefined {
    return this.minutes.get(symbol)?.[0]?.t;
  }

  /** Bars of any timeframe whose start lies in [from, to], oldest first. */
  bars(symbol: string, timeframe: Timeframe, from: number, to: number): Bar[] {
    if (!this.minutes.has(symbol)) return [];
    if (timeframe.unit === "Min" || timeframe.unit === "Hour") {
      const width = timeframe.n * (timeframe.unit === "Min" ? 60_000 : 3_600_000);
      const source = this.minuteBars(symbol, Math.floor(from / width) * width, to + width);
      return aggregate(source, (t) => Math.floor(t / width) * width).filter((b) => b.t >= from && b.t <= to);
    }
    const days = this.dailyBars(symbol, from - 40 * 86_400_000 * timeframe.n, to);
    if (timeframe.unit === "Day") return days.filter((b) => b.t >= from && b.t <= to);
    const bucket = timeframe.unit === "Week" ? nyWeekStart : (t: number) => nyMonthStart(t, timeframe.n);
    return aggregate(days, bucket).filter((b) => b.t >= from && b.t <= to);
  }

  /** Daily bars (New York days) overlapping [from, to]. */
  dailyBars(symbol: string, from: number, to: number): Bar[] {
    const older = (this.olderDays.get(symbol) ?? []).filter((b) => b.t >= from - 86_400_000 && b.t <= to);
    const recent = aggregate(this.minuteBars(symbol, nyDayStart(from), to + 86_400_000), nyDayStart);
    const firstRecent = recent[0]?.t ?? Number.POSITIVE_INFINITY;
    return [...older.filter((b) => b.t < firstRecent), ...recent];
  }

  private keepAsDaily(symbol: string, dropped: Bar[]): void {
    const older = this.olderDays.get(symbol) ?? [];
    for (const day of aggregate(dropped, nyDayStart)) {
      const last = older[older.length - 1];
      if (last?.t === day.t) older[older.length - 1] = aggregate([last, day], () => day.t)[0] ?? day;
      else older.push(day);
    }
    this.olderDays.set(symbol, older);
  }
}

/** Rolls bars up into buckets; volume-weighted VWAP, first open, last close. */
export function aggregate(bars: readonly Bar[], bucketOf: (t: number) => number): Bar[] {
  const out: Bar[] = [];
  let current: Bar | null = null;
  let pv = 0;
  for (const bar of bars) {
    const bucket = bucketOf(bar.t);
    if (!current || current.t !== bucket) {
      if (current) out.push(finish(current, pv));
      current = { t: bucket, o: bar.o, h: bar.h, l: bar.l, c: bar.c, v: 0, n: 0, vw: 0 };
      pv = 0;
    }
    current.h = Math.max(current.h, bar.h);
    current.l = Math.min(current.l, bar.l);
    current.c = bar.c;
    current.v += bar.v;
    current.n += bar.n;
    pv += bar.vw * bar.v;
  }
  if (current) out.push(finish(current, pv));
  return out;
}

function finish(bar: Bar, pv: number): Bar {
  bar.vw = bar.v > 0 ? round6(pv / bar.v) : bar.c;
  return bar;
}

function lowerBound(list: readonly Bar[], t: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid]?.t ?? 0) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
