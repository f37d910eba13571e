import type { PreviousCloseOrigin, Quote as BookQuote, SessionSummary, Trade } from "@torghut/contracts";

/** What a row needs of a trade: the hub sends whole Trade records; the tests build just this. */
export type LiveTrade = Pick<Trade, "symbol" | "price" | "eventTime" | "source" | "delayed"> & {
  size?: number;
};

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
  volume: number | null;
  sparkline: readonly number[];
  /** The last price move, for the flash: `seq` changes on every move so the animation restarts. */
  flash: { direction: "up" | "down"; seq: number } | null;
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
  flash: null,
});

type Schedule = (flush: () => void) => void;

/**
 * The watchlist's rows outside React. Live trades and quotes (up to 20/s per symbol) are held,
 * latest per symbol, and applied once per animation frame: React renders at most once a frame
 * whatever the message rate, and only rows whose state changed re-render (new objects).
 */
export class WatchStore {
  private rows = new Map<string, RowState>();
  private readonly pendingTrades = new Map<string, LiveTrade>();
  private readonly pendingQuotes = new Map<string, BookQuote>();
  private scheduled = false;
  private version = 0;
  private flashSeq = 0;
  private readonly listeners = new Set<() => void>();
  /** Messages taken and frames applied (`npm run bench -- ui` reads them). */
  readonly stats = { trades: 0, quotes: 0, flushes: 0 };

  constructor(
    private readonly schedule: Schedule = (flush) =>
      typeof requestAnimationFrame === "function" ? requestAnimationFrame(flush) : setTimeout(flush, 16),
  ) {}

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  };

  getVersion = (): number => this.version;

  row(symbol: string): RowState {
    return this.rows.get(symbol) ?? empty(symbol);
  }

  /** The REST answer: the day's figures, and the last trade when it is newer than what we hold. */
  applySummaries(summaries: readonly SessionSummary[]): void {
    for (const s of summaries) {
      let row: RowState = {
        ...this.row(s.symbol),
        previousClose: s.previousClose,
        previousCloseOrigin: s.previousCloseOrigin,
        open: s.open,
        high: s.high,
        low: s.low,
        volume: s.volume,
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

  pushTrade(trade: LiveTrade): void {
    this.stats.trades++;
    this.pendingTrades.set(trade.symbol, trade);
    this.request();
  }

  pushQuote(quote: BookQuote): void {
    this.stats.quotes++;
    this.pendingQuotes.set(quote.symbol, quote);
    this.request();
  }

  /** Applies everything held (the scheduler calls it; tests may too). */
  flush = (): void => {
    this.scheduled = false;
    if (this.pendingTrades.size === 0 && this.pendingQuotes.size === 0) return;
    this.stats.flushes++;
    for (const [symbol, t] of this.pendingTrades) {
      const before = this.row(symbol);
      const after = withTrade(before, {
        price: t.price,
        size: t.size ?? null,
        eventTimeMs: Date.parse(t.eventTime),
        source: t.source,
        delayed: t.delayed,
      });
      if (after === before) continue;
      const moved = before.price !== null && after.price !== before.price;
      this.rows.set(symbol, {
        ...after,
        high: after.high === null ? null : Math.max(after.high, t.price),
        low: after.low === null ? null : Math.min(after.low, t.price),
        flash: moved
          ? { direction: after.price! > before.price! ? "up" : "down", seq: ++this.flashSeq }
          : before.flash,
      });
    }
    for (const [symbol, q] of this.pendingQuotes) {
      this.rows.set(symbol, {
        ...this.row(symbol),
        bid: q.bidPrice,
        bidSize: q.bidSize,
        ask: q.askPrice,
        askSize: q.askSize,
      });
    }
    this.pendingTrades.clear();
    this.pendingQuotes.clear();
    this.changed();
  };

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
  if (Number.isNaN(t.eventTimeMs)) return row;
  if (row.eventTimeMs !== null && t.eventTimeMs < row.eventTimeMs) return row;
  return { ...row, ...t };
}

/** Change against the previous close, in price and percent; null when either is unknown. */
export function changeOf(row: RowState): { change: number; percent: number } | null {
  if (row.price === null || row.previousClose === null || row.previousClose === 0) return null;
  const change = row.price - row.previousClose;
  return { change, percent: (change / row.previousClose) * 100 };
}

export const spreadOf = (row: RowState): number | null =>
  row.bid !== null && row.ask !== null && row.ask >= row.bid ? row.ask - row.bid : null;
