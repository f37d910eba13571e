import type { Bar1m, MinuteSoFar, SourceName, Trade } from "@torghut/contracts";

/**
 * One symbol-minute being accumulated. O(1) per trade: running OHLC, volume, Σ price·size for the
 * VWAP and a count. Open and close follow event time (nanoseconds into the minute, exact as a
 * double), not arrival order, so a trade that arrives out of order inside the minute still lands
 * in the right place.
 */
export class MinuteBar {
  private open: number;
  private high: number;
  private low: number;
  private close: number;
  private openNs: number;
  private closeNs: number;
  private volume = 0;
  private notional = 0;
  private count = 0;
  private source: SourceName;
  private delayed = false;
  /** `minute` as ISO text, made once per bar. */
  private readonly minuteIso: string;

  constructor(
    readonly symbol: string,
    readonly minute: number,
    first: Trade,
    firstNs: number,
  ) {
    this.open = this.high = this.low = this.close = first.price;
    this.openNs = this.closeNs = firstNs;
    this.source = first.source;
    this.minuteIso = new Date(minute).toISOString();
    this.add(first, firstNs);
  }

  add(trade: Trade, eventNs: number): void {
    if (this.count > 0) {
      if (trade.price > this.high) this.high = trade.price;
      if (trade.price < this.low) this.low = trade.price;
      if (eventNs < this.openNs) {
        this.openNs = eventNs;
        this.open = trade.price;
      }
      if (eventNs >= this.closeNs) {
        this.closeNs = eventNs;
        this.close = trade.price;
        this.source = trade.source;
      }
    }
    this.volume += trade.size;
    this.notional += trade.price * trade.size;
    this.count++;
    // A minute that mixes real-time and delayed prints is not fully real-time.
    this.delayed ||= trade.delayed;
  }

  /** The bar as it stands, for the trade just added to publish (contracts: `minuteBar`). */
  soFar(): MinuteSoFar {
    return {
      open: this.open,
      high: this.high,
      low: this.low,
      close: this.close,
      volume: this.volume,
      tradeCount: this.count,
    };
  }

  toBar(): Bar1m {
    return {
      symbol: this.symbol,
      minute: this.minuteIso,
      open: this.open,
      high: this.high,
      low: this.low,
      close: this.close,
      volume: this.volume,
      vwap: this.volume > 0 ? this.notional / this.volume : null,
      tradeCount: this.count,
      source: this.source,
      delayed: this.delayed,
    };
  }
}
