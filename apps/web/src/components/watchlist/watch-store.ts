import type { PreviousCloseOrigin, SessionSummary } from "@torghut/contracts";
import type { LatestBatch, SymbolLatest } from "@/lib/live/latest-records";
import { afterStored, dayVolume, withLiveMinutes, type LiveMinute } from "./live-minutes";

/** What one watchlist row knows: the last trade, the book's top, and the day. Never mutated in place. */

export interface RowState {
  symbol: string;
  price: number | null;
  size: number | null;
  eventTimeMs: number | null;
  source: string | null;
  delayed: boolean;
  bid: number | null;
  bidSize: number | null;
  ask: number | null;
  askSize: number | null;
  previousClose: number | null;
  previousCloseOrigin: PreviousCloseOrigin | null;
  open: number | null;
  high: number | null;
  low: number | null;
  /** The day's volume as shown: the stored minutes' and the live minutes' after them. */
  volume: number | null;
  sparkline: readonly number[];
  /** New York date the day figures are of (the REST summary's `session`). */
  session: string | null;
  /** The REST summary's volume, and the start of the newest minute it covers (epoch ms). */
  storedVolume: number | null;
  storedThroughMs: number | null;
  /** Minutes the live feed reported after `storedThroughMs`. */
  liveMinutes: readonly LiveMinute[];
  /**
   * The last price move, for the flash: a new `seq` restarts the animation, on a change of direction
   * or once FLASH_RESTART_MS have passed since the last restart (`at`, the store's clock).
   */
  flash: { direction: "up" | "down"; seq: number; at: number } | null;
}

const empty = (symbol: string): RowState => ({
  symbol,
  price: null,
  size: null,
  eventTimeMs: null,
  source: null,
  delayed: false,
  bid: null,
  bidSize: null,
  ask: null,
  askSize: null,
  previousClose: null,
  previousCloseOrigin: null,
  open: null,
  high: null,
  low: null,
  volume: null,
  sparkline: [],
  session: null,
  storedVolume: null,
  storedThroughMs: null,
  liveMinutes: [],
  flash: null,
});

type Schedule = (flush: () => void) => void;

/**
 * A move in the same direction restarts the flash only this long after its last restart. At 20
 * moves a second a restart per move looks the same as a steady highlight, but each one costs a new
 * DOM node, a style recalculation and two animation events (React hears every one at the root).
 */
export const FLASH_RESTART_MS = 300;

/**
 * The least time between two live updates of one row: 10 a second, faster than a trader reads a
 * price and slow enough that the page's work per frame does not grow with the feed's rate (a
 * symbol trading 20 times a second costs half the renders). Its trades in between still set the
 * day's range; the newest price is at most this much older on screen than in the feed.
 */
export const ROW_REFRESH_MS = 100;

/**
 * The most a frame spends applying the symbols' latest values (the new rows); what is left waits
 * for the next frame. React's render of the rows in view, style, layout and paint follow in the same
 * task, so this is kept to a fraction of the 50 ms beyond which a task is long. A backlog (after a
 * GC pause or a hidden tab) then costs a few short frames instead of one long one.
 */
export const FRAME_BUDGET_MS = 8;

/**
 * The watchlist's rows outside React. Live trades and quotes (up to 20/s per symbol) arrive from the
 * feed's worker already coalesced per symbol and validated (latest-records.ts), about once a frame;
 * they wait here per symbol and are applied once per animation frame: React renders at most once a
 * frame whatever the message rate, and only rows whose state changed re-render (new objects). A
 * frame applies at most FRAME_BUDGET_MS of them, oldest symbol first.
 */
export class WatchStore {
  private rows = new Map<string, RowState>();
  /** Per symbol, what the feed's batches brought since it was last applied; oldest symbol first. */
  private readonly pending = new Map<string, SymbolLatest>();
  private scheduled = false;
  private version = 0;
  private flashSeq = 0;
  private readonly listeners = new Set<() => void>();
  /** Messages taken and frames applied (`npm run bench -- ui` reads them). */
  readonly stats = { trades: 0, quotes: 0, flushes: 0 };

  constructor(
    private readonly schedule: Schedule = (flush) =>
      typeof requestAnimationFrame === "function" ? requestAnimationFrame(flush) : setTimeout(flush, 16),
    private readonly now: () => number = () => performance.now(),
    private readonly budgetMs: number = FRAME_BUDGET_MS,
  ) {}

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  };

  getVersion = (): number => this.version;

  row(symbol: string): RowState {
    return this.rows.get(symbol) ?? empty(symbol);
  }

  /**
   * The REST answer: the day's figures, and the last trade when it is newer than what we hold. The
   * stored figures run through the minute before last (bars are stored when a minute closes), so
   * within the same session the range the live feed has widened stays wide, and the live minutes
   * after the stored ones still add to the volume.
   */
  applySummaries(summaries: readonly SessionSummary[]): void {
    for (const s of summaries) {
      const before = this.row(s.symbol);
      const sameDay = before.session !== null && before.session === s.session;
      const storedThroughMs = s.lastMinute === null ? null : Date.parse(s.lastMinute);
      // Minutes heard before the first answer are kept too (dayVolume counts only the session's).
      const keep = sameDay || before.session === null;
      const liveMinutes = keep ? afterStored(before.liveMinutes, storedThroughMs) : [];
      let row: RowState = {
        ...before,
        previousClose: s.previousClose,
        previousCloseOrigin: s.previousCloseOrigin,
        open: s.open,
        high: sameDay ? widest(Math.max, s.high, before.high) : s.high,
        low: sameDay ? widest(Math.min, s.low, before.low) : s.low,
        session: s.session,
        storedVolume: s.volume,
        storedThroughMs,
        liveMinutes,
        volume: dayVolume(s.volume, s.session, liveMinutes),
        sparkline: s.sparkline,
      };
      if (s.last !== null) {
        row = withTrade(row, {
          price: s.last.price,
          size: s.last.size,
          eventTimeMs: Date.parse(s.last.eventTime),
          source: s.last.source,
          delayed: s.last.delayed,
        });
      }
      this.rows.set(s.symbol, row);
    }
    this.changed();
  }

  /**
   * A batch from the feed: each symbol's latest joins what waits for the frame. A symbol already
   * waiting keeps its place and takes the newer trade and quote, its range widened by both.
   */
  offerLatest(batch: LatestBatch): void {
    this.stats.trades += batch.trades;
    this.stats.quotes += batch.quotes;
    for (const next of batch.symbols) {
      const waiting = this.pending.get(next.symbol);
      this.pending.set(next.symbol, waiting === undefined ? next : merged(waiting, next));
    }
    if (this.pending.size > 0) this.request();
  }

  /** Applies what waits, up to the frame's budget (at least one symbol), and asks for another frame for the rest. */
  flush = (): void => {
    this.scheduled = false;
    if (this.pending.size === 0) return;
    this.stats.flushes++;
    const now = this.now();
    const deadline = now + this.budgetMs;
    let first = true;
    for (const [symbol, latest] of this.pending) {
      if (!first && this.now() >= deadline) break;
      first = false;
      this.pending.delete(symbol);
      this.apply(latest, now);
    }
    if (this.pending.size > 0) this.request();
    this.changed();
  };

  /**
   * One symbol's latest into one new row (none when nothing changes it). The range is only widened,
   * never started: without the REST day figures (null) a few seconds of live trades would pass for
   * the day. An older trade does not replace the price, but it did trade: it counts for the range.
   */
  private apply(latest: SymbolLatest, now: number): void {
    const before = this.row(latest.symbol);
    const { trade, eventTimeMs } = latest;
    const newer = trade !== null && isNewer(before, eventTimeMs);
    let { high, low } = before;
    if (high !== null && low !== null) {
      if (latest.high !== null) high = Math.max(high, latest.high);
      if (latest.low !== null) low = Math.min(low, latest.low);
    }
    const liveMinutes = withLiveMinutes(before.liveMinutes, latest.minutes, before.storedThroughMs);
    const ranged = high !== before.high || low !== before.low || liveMinutes !== before.liveMinutes;
    const quote = latest.quote;
    if (!newer && !ranged && quote === null) return;
    // One new object per symbol and frame, filled in before anything can see it.
    const row: RowState = { ...before, high, low, liveMinutes };
    if (liveMinutes !== before.liveMinutes)
      row.volume = dayVolume(before.storedVolume, before.session, liveMinutes);
    if (newer) {
      row.price = trade.price;
      row.size = trade.size;
      row.eventTimeMs = eventTimeMs;
      row.source = trade.source;
      row.delayed = trade.delayed;
      row.flash = this.flashOf(before, trade.price, now);
    }
    if (quote !== null) {
      row.bid = quote.bidPrice;
      row.bidSize = quote.bidSize;
      row.ask = quote.askPrice;
      row.askSize = quote.askSize;
    }
    this.rows.set(latest.symbol, row);
  }

  private flashOf(before: RowState, price: number, now: number): RowState["flash"] {
    if (before.price === null || price === before.price) return before.flash;
    const direction = price > before.price ? "up" : "down";
    const last = before.flash;
    if (last !== null && last.direction === direction && now - last.at < FLASH_RESTART_MS) return last;
    return { direction, seq: ++this.flashSeq, at: now };
  }

  private request(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(this.flush);
  }

  private changed(): void {
    this.version++;
    this.listeners.forEach((l) => l());
  }
}

/** Two waiting latests of one symbol: the newer trade and quote where valid, the range of both. */
function merged(older: SymbolLatest, newer: SymbolLatest): SymbolLatest {
  return {
    symbol: newer.symbol,
    trade: newer.trade ?? older.trade,
    eventTimeMs: newer.trade === null ? older.eventTimeMs : newer.eventTimeMs,
    high:
      older.high === null ? newer.high : newer.high === null ? older.high : Math.max(older.high, newer.high),
    low: older.low === null ? newer.low : newer.low === null ? older.low : Math.min(older.low, newer.low),
    // Both: the row keeps, per minute, the bar with the most trades.
    minutes: older.minutes.length === 0 ? newer.minutes : [...older.minutes, ...newer.minutes],
    quote: newer.quote ?? older.quote,
  };
}

/** The wider of two range ends by `pick` (Math.max for a high), either of which may be unknown. */
function widest(pick: (a: number, b: number) => number, a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : pick(a, b);
}

interface TradeFacts {
  price: number;
  size: number | null;
  eventTimeMs: number;
  source: string;
  delayed: boolean;
}

/**
 * Polling and the live feed both deliver prices and can arrive out of order: the newer event wins,
 * so a slow REST answer never replaces a fresher live tick. Returns `row` itself when nothing changes.
 */
function withTrade(row: RowState, t: TradeFacts): RowState {
  return isNewer(row, t.eventTimeMs) ? { ...row, ...t } : row;
}

/** Whether a trade at `eventTimeMs` replaces the row's price (not older than it; a valid time). */
function isNewer(row: RowState, eventTimeMs: number): boolean {
  return !Number.isNaN(eventTimeMs) && (row.eventTimeMs === null || eventTimeMs >= row.eventTimeMs);
}

/** Change against the previous close, in price and percent; null when either is unknown. */
export function changeOf(row: RowState): { change: number; percent: number } | null {
  if (row.price === null || row.previousClose === null || row.previousClose === 0) return null;
  const change = row.price - row.previousClose;
  return { change, percent: (change / row.previousClose) * 100 };
}

export const spreadOf = (row: RowState): number | null =>
  row.bid !== null && row.ask !== null && row.ask >= row.bid ? row.ask - row.bid : null;
