import {
  quoteSchema,
  tradeSchema,
  type PreviousCloseOrigin,
  type Quote as BookQuote,
  type SessionSummary,
  type Trade,
} from "@torghut/contracts";

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
  flash: null,
});

type Schedule = (flush: () => void) => void;

/**
 * A move in the same direction restarts the flash only this long after its last restart. At 20
 * moves a second a restart per move looks the same as a steady highlight, but each one costs a new
 * DOM node, a style recalculation and two animation events (React hears every one at the root).
 */
export const FLASH_RESTART_MS = 300;

/** The symbol of an unvalidated record, or null: enough to key the latest value per symbol. */
function symbolOf(raw: unknown): string | null {
  if (typeof raw !== "object" || raw === null) return null;
  const symbol = (raw as { symbol?: unknown }).symbol;
  return typeof symbol === "string" ? symbol : null;
}

/**
 * The watchlist's rows outside React. Live trades and quotes (up to 20/s per symbol) are held,
 * latest per symbol, and applied once per animation frame: React renders at most once a frame
 * whatever the message rate, and only rows whose state changed re-render (new objects). Records
 * straight off the wire (`offerTrade`, `offerQuote`) are validated when applied: one per symbol and
 * frame at most, so a value superseded within the frame costs a map write, not a parse.
 */
export class WatchStore {
  private rows = new Map<string, RowState>();
  private readonly pendingTrades = new Map<string, LiveTrade>();
  private readonly pendingQuotes = new Map<string, BookQuote>();
  private readonly uncheckedTrades = new Map<string, unknown>();
  private readonly uncheckedQuotes = new Map<string, unknown>();
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

  /** A trade as the hub sent it, validated at the frame if it is still the symbol's latest then. */
  offerTrade(raw: unknown): void {
    const symbol = symbolOf(raw);
    // Suspicious trades stay out of the live price (they are kept, but not shown).
    if (symbol === null || (raw as { suspicious?: unknown }).suspicious === true) return;
    this.stats.trades++;
    this.uncheckedTrades.set(symbol, raw);
    this.request();
  }

  /** A quote as the hub sent it, validated at the frame if it is still the symbol's latest then. */
  offerQuote(raw: unknown): void {
    const symbol = symbolOf(raw);
    if (symbol === null) return;
    this.stats.quotes++;
    this.uncheckedQuotes.set(symbol, raw);
    this.request();
  }

  /** Applies everything held (the scheduler calls it; tests may too). */
  flush = (): void => {
    this.scheduled = false;
    const held =
      this.pendingTrades.size +
      this.pendingQuotes.size +
      this.uncheckedTrades.size +
      this.uncheckedQuotes.size;
    if (held === 0) return;
    this.stats.flushes++;
    const now = this.now();
    for (const [symbol, raw] of this.uncheckedTrades) {
      const trade = tradeSchema.safeParse(raw);
      if (trade.success && trade.data.symbol === symbol && !trade.data.suspicious)
        this.applyTrade(trade.data, now);
    }
    for (const trade of this.pendingTrades.values()) this.applyTrade(trade, now);
    for (const [symbol, raw] of this.uncheckedQuotes) {
      const quote = quoteSchema.safeParse(raw);
      if (quote.success && quote.data.symbol === symbol) this.applyQuote(quote.data);
    }
    for (const quote of this.pendingQuotes.values()) this.applyQuote(quote);
    this.uncheckedTrades.clear();
    this.uncheckedQuotes.clear();
    this.pendingTrades.clear();
    this.pendingQuotes.clear();
    this.changed();
  };

  private applyTrade(t: LiveTrade, now: number): void {
    const before = this.row(t.symbol);
    const after = withTrade(before, {
      price: t.price,
      size: t.size ?? null,
      eventTimeMs: Date.parse(t.eventTime),
      source: t.source,
      delayed: t.delayed,
    });
    if (after === before) return;
    this.rows.set(t.symbol, {
      ...after,
      high: after.high === null ? null : Math.max(after.high, t.price),
      low: after.low === null ? null : Math.min(after.low, t.price),
      flash: this.flashOf(before, after.price!, now),
    });
  }

  private flashOf(before: RowState, price: number, now: number): RowState["flash"] {
    if (before.price === null || price === before.price) return before.flash;
    const direction = price > before.price ? "up" : "down";
    const last = before.flash;
    if (last !== null && last.direction === direction && now - last.at < FLASH_RESTART_MS) return last;
    return { direction, seq: ++this.flashSeq, at: now };
  }

  private applyQuote(q: BookQuote): void {
    this.rows.set(q.symbol, {
      ...this.row(q.symbol),
      bid: q.bidPrice,
      bidSize: q.bidSize,
      ask: q.askPrice,
      askSize: q.askSize,
    });
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
