import {
  quoteSchema,
  tradeSchema,
  type PreviousCloseOrigin,
  type Quote,
  type SessionSummary,
  type Trade,
} from "@torghut/contracts";
import { HeldRecords, type Held } from "./held-records";

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

/**
 * The most a frame spends applying held records (validation and the new rows); what is left waits
 * for the next frame. React's render of the rows in view, style, layout and paint follow in the same
 * task, so this is kept to a fraction of the 50 ms beyond which a task is long. A backlog (after a
 * GC pause or a hidden tab) then costs a few short frames instead of one long one.
 */
export const FRAME_BUDGET_MS = 8;

/** The symbol of an unvalidated record, or null: enough to key the latest value per symbol. */
function symbolOf(raw: unknown): string | null {
  if (typeof raw !== "object" || raw === null) return null;
  const symbol = (raw as { symbol?: unknown }).symbol;
  return typeof symbol === "string" ? symbol : null;
}

/**
 * The watchlist's rows outside React. Live trades and quotes (up to 20/s per symbol) are held per
 * symbol (held-records.ts) and applied once per animation frame: React renders at most once a frame
 * whatever the message rate, and only rows whose state changed re-render (new objects). Records
 * straight off the wire are validated when applied: the newest per symbol and frame, and the trades
 * that would move the day's high or low, so a value superseded within the frame costs a map write,
 * not a parse. A frame applies at most FRAME_BUDGET_MS of them, oldest symbol first.
 */
export class WatchStore {
  private rows = new Map<string, RowState>();
  private readonly held = new HeldRecords();
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

  /** A trade as the hub sent it (`lines:*`), validated at the frame if it is still of use then. */
  offerTrade(raw: unknown): void {
    const symbol = symbolOf(raw);
    // Suspicious trades stay out of the live price and the range (they are kept, but not shown).
    if (symbol === null || (raw as { suspicious?: unknown }).suspicious === true) return;
    this.stats.trades++;
    const price = (raw as { price?: unknown }).price;
    this.held.trade(symbol, raw, typeof price === "number" ? price : Number.NaN);
    this.request();
  }

  /** A quote as the hub sent it (`order_book:*`), validated at the frame if it is still the newest. */
  offerQuote(raw: unknown): void {
    const symbol = symbolOf(raw);
    if (symbol === null) return;
    this.stats.quotes++;
    this.held.quote(symbol, raw);
    this.request();
  }

  /** Applies what is held, up to the frame's budget, and asks for another frame for the rest. */
  flush = (): void => {
    this.scheduled = false;
    if (this.held.size === 0) return;
    this.stats.flushes++;
    const now = this.now();
    const deadline = now + this.budgetMs;
    this.held.drain(
      (symbol, held) => this.apply(symbol, held, now),
      () => this.now() < deadline,
    );
    if (this.held.size > 0) this.request();
    this.changed();
  };

  /**
   * One symbol's held records into one new row (none when nothing valid changes it). The range is
   * only widened, never started: without the REST day figures (null) a few seconds of live trades
   * would pass for the day. A held extreme other than the newest trade is validated only when it
   * would widen the range.
   */
  private apply(symbol: string, held: Held, now: number): void {
    const before = this.row(symbol);
    const trade = held.trade === undefined ? null : validTrade(symbol, held.trade);
    const eventTimeMs = trade === null ? Number.NaN : Date.parse(trade.eventTime);
    const newer = trade !== null && isNewer(before, eventTimeMs);
    let { high, low } = before;
    if (held.trade !== undefined && high !== null && low !== null) {
      if (trade !== null) {
        high = Math.max(high, trade.price);
        low = Math.min(low, trade.price);
      }
      if (held.highPrice > high && held.high !== held.trade && validTrade(symbol, held.high) !== null)
        high = held.highPrice;
      if (held.lowPrice < low && held.low !== held.trade && validTrade(symbol, held.low) !== null)
        low = held.lowPrice;
    }
    const ranged = high !== before.high || low !== before.low;
    const quote = held.quote === undefined ? null : validQuote(symbol, held.quote);
    if (!newer && !ranged && quote === null) return;
    // One new object per symbol and frame, filled in before anything can see it.
    const row: RowState = { ...before, high, low };
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
    this.rows.set(symbol, row);
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

/** The held trade validated, or null when it fails the contract, is another symbol's or is suspicious. */
function validTrade(symbol: string, raw: unknown): Trade | null {
  const trade = tradeSchema.safeParse(raw);
  return trade.success && trade.data.symbol === symbol && !trade.data.suspicious ? trade.data : null;
}

function validQuote(symbol: string, raw: unknown): Quote | null {
  const quote = quoteSchema.safeParse(raw);
  return quote.success && quote.data.symbol === symbol ? quote.data : null;
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
