import {
  minuteSoFarSchema,
  minuteStart,
  quoteSchema,
  tradeSchema,
  type MinuteSoFar,
  type Quote,
  type Trade,
} from "@torghut/contracts";
import type { Arrival } from "./market-feed";

/**
 * What one symbol's trades and quotes since the last take come to, validated: the newest trade and
 * quote, and the highest and lowest valid trade price (a frame shows one price per symbol, but the
 * day's range must see every trade: a spike superseded within the frame still sets the high).
 */
export interface SymbolLatest {
  symbol: string;
  /**
   * The newest trade's shown fields, if it is valid (an invalid newest trade is not shown: null).
   * Only what a view of the latest shows crosses to the page: the copy is part of the page's cost.
   */
  trade: Pick<Trade, "price" | "size" | "source" | "delayed"> | null;
  /** `trade.eventTime` as epoch ms (parsed here, off the page's main thread). */
  eventTimeMs: number;
  /**
   * The highest and lowest price of the valid trades held, and of their minutes so far (which hold
   * the trades the hub never sent); null when none was valid.
   */
  high: number | null;
  low: number | null;
  /** Each minute's bar so far, as the fullest tick of that minute held brought it (oldest first). */
  minutes: LiveMinuteBar[];
  quote: Pick<Quote, "bidPrice" | "bidSize" | "askPrice" | "askSize"> | null;
}

/** A tick's minute bar with the minute it is of (the trade's own, epoch ms). */
export type LiveMinuteBar = MinuteSoFar & { minuteMs: number };

/** A take: every symbol that had records, and how many records came in (the bench's counters). */
export interface LatestBatch {
  symbols: SymbolLatest[];
  trades: number;
  quotes: number;
}

/** One symbol's records as they came off the wire (unvalidated) until the next take. */
interface Held {
  trade: unknown;
  quote: unknown;
  /** The held trade with the highest price (`highPrice`), or undefined; likewise the lowest. */
  high: unknown;
  highPrice: number;
  low: unknown;
  lowPrice: number;
  /**
   * Per minute (the eventTime's text to the minute), the unvalidated tick whose `minuteBar` has the
   * most trades (each is cumulative).
   */
  minutes: Map<string, unknown> | undefined;
}

/** A take never holds back fewer than this many due symbols: a short watchlist is never paced. */
export const MIN_SYMBOLS_PER_TAKE = 50;
/** Room over the even share per take, so that symbols held back catch up within a few takes. */
const SPREAD_SLACK = 1.5;

/**
 * The feed's per-symbol coalescing for a listener that shows only the latest (the watchlist, 500
 * symbols × 20 trades/s): records are held per symbol, a newer one replacing the held one for a map
 * write, and validated only at the take. It runs in the feed's worker (market-feed.worker.ts), so
 * neither the parse nor the validation of 16,000 records a second is on the page's main thread.
 *
 * A symbol is taken at most once per `everyMs`: its records wait meanwhile (the range still sees
 * every trade). A row that changes 20 times a second cannot be read at that rate, and each change
 * costs the page a render, a style recalculation and a paint; at 10 a second per row the page's
 * work no longer grows with the feed's rate.
 *
 * Given how often takes come (`takesEveryMs`), a take hands over at most about its even share of the
 * symbols (every symbol once per `everyMs`, spread over the takes in it), the longest-waiting first.
 * Without that, symbols taken together fall due together: 500 came due in the same take every
 * 100 ms, and that take (500 validations) and the page's frame that applied it (500 rows) were the
 * page's largest tasks (BENCHMARKS "ui": the long ones are mostly the thread waiting for a core).
 */
export class LatestRecords {
  private readonly bySymbol = new Map<string, Held>();
  /** When each symbol was last taken (the caller's clock). */
  private readonly takenAt = new Map<string, number>();
  private trades = 0;
  private quotes = 0;

  constructor(
    private readonly everyMs = 0,
    private readonly takesEveryMs = 0,
  ) {}

  /** A publication of `lines:*` (type tick) or `order_book:*` (type quote); others are not held. */
  offer(arrival: Arrival): void {
    const raw = arrival.data;
    const symbol = symbolOf(raw);
    if (symbol === null) return;
    if (arrival.type === "quote") {
      this.quotes++;
      this.entry(symbol).quote = raw;
      return;
    }
    // Suspicious trades stay out of the live price and the range (they are kept, but not shown).
    if (arrival.type !== "tick" || (raw as { suspicious?: unknown }).suspicious === true) return;
    this.trades++;
    const value = (raw as { price?: unknown }).price;
    const price = typeof value === "number" ? value : Number.NaN;
    const held = this.entry(symbol);
    held.trade = raw;
    if (price > held.highPrice) {
      held.high = raw;
      held.highPrice = price;
    }
    if (price < held.lowPrice) {
      held.low = raw;
      held.lowPrice = price;
    }
    if ((raw as { minuteBar?: unknown }).minuteBar !== undefined) holdMinute(held, raw);
  }

  /** Whether anything is held: symbols (due or not) or counts not yet reported. */
  get pending(): boolean {
    return this.bySymbol.size > 0 || this.trades > 0 || this.quotes > 0;
  }

  /**
   * The held symbols that are due at `now` (not taken in the last `everyMs`), validated, oldest
   * symbol first, up to this take's share (see the class), and the records counted since the last
   * take. Symbols not yet due, or past the share, stay held in their place.
   */
  take(now = 0): LatestBatch {
    const symbols: SymbolLatest[] = [];
    const share = this.share();
    for (const [symbol, held] of this.bySymbol) {
      if (symbols.length >= share) break;
      if (now - (this.takenAt.get(symbol) ?? -Infinity) < this.everyMs) continue;
      this.bySymbol.delete(symbol);
      this.takenAt.set(symbol, now);
      symbols.push(validated(symbol, held));
    }
    const batch = { symbols, trades: this.trades, quotes: this.quotes };
    this.trades = 0;
    this.quotes = 0;
    return batch;
  }

  /** How many symbols one take may hand over: every symbol once per `everyMs`, over its takes. */
  private share(): number {
    if (this.everyMs <= 0 || this.takesEveryMs <= 0) return Infinity;
    const symbols = Math.max(this.takenAt.size, this.bySymbol.size);
    const even = (symbols * this.takesEveryMs) / this.everyMs;
    return Math.max(MIN_SYMBOLS_PER_TAKE, Math.ceil(even * SPREAD_SLACK));
  }

  private entry(symbol: string): Held {
    let held = this.bySymbol.get(symbol);
    if (held === undefined) {
      held = {
        trade: undefined,
        quote: undefined,
        high: undefined,
        highPrice: -Infinity,
        low: undefined,
        lowPrice: Infinity,
        minutes: undefined,
      };
      this.bySymbol.set(symbol, held);
    }
    return held;
  }
}

/** The held records checked against the contract; an extreme other than the newest trade is parsed too. */
function validated(symbol: string, held: Held): SymbolLatest {
  const trade = held.trade === undefined ? null : validTrade(symbol, held.trade);
  const quote = held.quote === undefined ? null : validQuote(symbol, held.quote);
  let high = trade?.price ?? null;
  let low = high;
  if (held.high !== undefined && held.high !== held.trade && validTrade(symbol, held.high) !== null)
    high = Math.max(high ?? -Infinity, held.highPrice);
  if (held.low !== undefined && held.low !== held.trade && validTrade(symbol, held.low) !== null)
    low = Math.min(low ?? Infinity, held.lowPrice);
  const minutes: LiveMinuteBar[] = [];
  for (const raw of held.minutes?.values() ?? []) {
    const { minuteBar, eventTime } = raw as { minuteBar: unknown; eventTime?: unknown };
    const bar = minuteSoFarSchema.safeParse(minuteBar);
    const eventMs = typeof eventTime === "string" ? Date.parse(eventTime) : Number.NaN;
    if (!bar.success || Number.isNaN(eventMs)) continue;
    minutes.push({ ...bar.data, minuteMs: minuteStart(eventMs) });
    high = Math.max(high ?? -Infinity, bar.data.high);
    low = Math.min(low ?? Infinity, bar.data.low);
  }
  minutes.sort((a, b) => a.minuteMs - b.minuteMs);
  return {
    symbol,
    trade:
      trade === null
        ? null
        : { price: trade.price, size: trade.size, source: trade.source, delayed: trade.delayed },
    eventTimeMs: trade === null ? Number.NaN : Date.parse(trade.eventTime),
    high,
    low,
    minutes,
    quote:
      quote === null
        ? null
        : {
            bidPrice: quote.bidPrice,
            bidSize: quote.bidSize,
            askPrice: quote.askPrice,
            askSize: quote.askSize,
          },
  };
}

/**
 * Keeps an unvalidated tick for its minute bar if it knows more of its minute than the one held
 * (more trades): a minute's bars are cumulative, so the fullest is the newest, whatever the arrival
 * order. Keyed by the eventTime's text to the minute ("2026-12-02T15:01"): no date parse per tick.
 */
function holdMinute(held: Held, tick: unknown): void {
  const { minuteBar, eventTime } = tick as { minuteBar: unknown; eventTime?: unknown };
  const tradeCount = (minuteBar as { tradeCount?: unknown } | null)?.tradeCount;
  if (typeof eventTime !== "string" || typeof tradeCount !== "number") return;
  const minute = eventTime.slice(0, 16);
  held.minutes ??= new Map();
  const before = held.minutes.get(minute) as { minuteBar: { tradeCount: number } } | undefined;
  if (before === undefined || tradeCount >= before.minuteBar.tradeCount) held.minutes.set(minute, tick);
}

/** The symbol of an unvalidated record, or null: enough to key the latest value per symbol. */
function symbolOf(raw: unknown): string | null {
  if (typeof raw !== "object" || raw === null) return null;
  const symbol = (raw as { symbol?: unknown }).symbol;
  return typeof symbol === "string" ? symbol : null;
}

/** The record validated, or null when it fails the contract, is another symbol's or is suspicious. */
function validTrade(symbol: string, raw: unknown): Trade | null {
  const trade = tradeSchema.safeParse(raw);
  return trade.success && trade.data.symbol === symbol && !trade.data.suspicious ? trade.data : null;
}

function validQuote(symbol: string, raw: unknown): Quote | null {
  const quote = quoteSchema.safeParse(raw);
  return quote.success && quote.data.symbol === symbol ? quote.data : null;
}
