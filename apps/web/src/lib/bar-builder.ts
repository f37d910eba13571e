/** A candle as lightweight-charts takes it: `time` in UTC seconds. */
export interface Candle {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
}

export const INTERVAL_SECONDS = { "1m": 60, "5m": 300, "15m": 900, "1h": 3600, "1d": 86_400 } as const;
export type ChartInterval = keyof typeof INTERVAL_SECONDS;

/**
 * Turns live trades and bars into candle updates that never go back in time: lightweight-charts'
 * `series.update` throws on a bar older than its last one, and live feeds (a fallback source, a
 * replay after reconnect) do deliver late trades. A late trade inside the current candle is merged;
 * one for an earlier candle is counted and dropped (the REST history already has it).
 */
export class MonotonicBarBuilder {
  private last: Candle | null = null;
  private droppedLate = 0;

  constructor(private readonly intervalSeconds: number) {}

  /** Starts from the newest candle of the REST history. */
  seed(last: Candle | null): void {
    this.last = last === null ? null : { ...last };
  }

  get dropped(): number {
    return this.droppedLate;
  }

  bucketOf(epochMs: number): number {
    const seconds = Math.floor(epochMs / 1000);
    return seconds - (seconds % this.intervalSeconds);
  }

  /** The candle to hand to `series.update`, or null when the trade is older than the last candle. */
  applyTrade(epochMs: number, price: number): Candle | null {
    if (!Number.isFinite(price) || !Number.isFinite(epochMs)) return null;
    const time = this.bucketOf(epochMs);
    const last = this.last;
    if (last !== null && time < last.time) {
      this.droppedLate++;
      return null;
    }
    const next: Candle =
      last !== null && time === last.time
        ? {
            time,
            open: last.open,
            high: Math.max(last.high, price),
            low: Math.min(last.low, price),
            close: price,
          }
        : { time, open: price, high: price, low: price, close: price };
    this.last = next;
    return { ...next };
  }

  /**
   * A closed or revised 1m bar from the analytics channel. Folded into the candle it belongs to
   * (which may be longer than a minute); older than the last candle → dropped.
   */
  applyBar(bar: Candle): Candle | null {
    const time = this.bucketOf(bar.time * 1000);
    const last = this.last;
    if (last !== null && time < last.time) {
      this.droppedLate++;
      return null;
    }
    let next: Candle;
    if (last === null || time > last.time) next = { ...bar, time };
    else if (this.intervalSeconds === 60)
      next = { ...bar, time }; // the bar is authoritative for its minute
    else
      next = {
        time,
        open: last.open,
        high: Math.max(last.high, bar.high),
        low: Math.min(last.low, bar.low),
        close: bar.close,
      };
    this.last = next;
    return { ...next };
  }
}
