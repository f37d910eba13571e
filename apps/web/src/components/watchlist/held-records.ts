/**
 * One symbol's live records waiting for the next frame, as they came off the wire (unvalidated):
 * the newest trade and quote, and the trades with the highest and lowest price since the symbol was
 * last applied. A frame shows one price per symbol, but the day's range must see every trade: a
 * spike superseded within the frame still sets the high.
 */
export interface Held {
  trade: unknown;
  quote: unknown;
  /** The held trade with the highest price (`highPrice`), or undefined; likewise the lowest. */
  high: unknown;
  highPrice: number;
  low: unknown;
  lowPrice: number;
}

/**
 * Records held per symbol, oldest symbol first: a symbol keeps its place while newer records replace
 * its held ones, so a frame that cannot apply everything (see WatchStore's budget) leaves the symbols
 * that waited least, and those then show their newest values, not a backlog.
 */
export class HeldRecords {
  private readonly bySymbol = new Map<string, Held>();

  get size(): number {
    return this.bySymbol.size;
  }

  /** `price` is the record's price if it is a number (NaN otherwise: it then sets no extreme). */
  trade(symbol: string, raw: unknown, price: number): void {
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
  }

  quote(symbol: string, raw: unknown): void {
    this.entry(symbol).quote = raw;
  }

  /**
   * Hands held symbols to `apply`, oldest first, each removed as it goes, while `more()` is true
   * (asked before each symbol after the first, so every call makes progress).
   */
  drain(apply: (symbol: string, held: Held) => void, more: () => boolean): void {
    let first = true;
    for (const [symbol, held] of this.bySymbol) {
      if (!first && !more()) return;
      first = false;
      this.bySymbol.delete(symbol);
      apply(symbol, held);
    }
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
      };
      this.bySymbol.set(symbol, held);
    }
    return held;
  }
}
