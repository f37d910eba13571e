import { assertFinite, assertPeriod } from "./errors";
import { StreamingIndicator } from "./streaming";
import type { Aligned } from "./types";

/**
 * RSI with Wilder's smoothing, as in Wilder (1978) and StockCharts' worked example: the first average
 * gain/loss is the simple mean of the first `period` changes (so the first RSI is at index `period`),
 * after which avg = (avg_prev · (period - 1) + current) / period.
 *
 * When the average loss is 0 the RSI is 100, and 50 when nothing moved at all (no gain, no loss):
 * a flat market is neutral, not "overbought".
 */
interface RsiState {
  readonly closes: number;
  readonly prevClose: number;
  readonly avgGain: number;
  readonly avgLoss: number;
}

const START: RsiState = { closes: 0, prevClose: 0, avgGain: 0, avgLoss: 0 };

export class Rsi extends StreamingIndicator<RsiState, number, number> {
  constructor(readonly period = 14) {
    assertPeriod(period, "RSI period");
    super(START);
  }

  protected step(state: RsiState, close: number): RsiState {
    assertFinite(close, "RSI input");
    const closes = state.closes + 1;
    if (closes === 1) return { closes, prevClose: close, avgGain: 0, avgLoss: 0 };
    const change = close - state.prevClose;
    const gain = change > 0 ? change : 0;
    const loss = change < 0 ? -change : 0;
    const changes = closes - 1;
    if (changes <= this.period) {
      // Seed phase: accumulate sums, divided once the window is full so the seed is a plain average.
      const sumGain = state.avgGain + gain;
      const sumLoss = state.avgLoss + loss;
      const done = changes === this.period;
      return {
        closes,
        prevClose: close,
        avgGain: done ? sumGain / this.period : sumGain,
        avgLoss: done ? sumLoss / this.period : sumLoss,
      };
    }
    const n = this.period;
    return {
      closes,
      prevClose: close,
      avgGain: (state.avgGain * (n - 1) + gain) / n,
      avgLoss: (state.avgLoss * (n - 1) + loss) / n,
    };
  }

  protected read(state: RsiState): number | null {
    if (state.closes <= this.period) return null;
    if (state.avgLoss === 0) return state.avgGain === 0 ? 50 : 100;
    const rs = state.avgGain / state.avgLoss;
    return 100 - 100 / (1 + rs);
  }
}

/** Wilder RSI of `closes`, aligned with them; the first `period` entries are `null`. */
export function rsi(closes: readonly number[], period = 14): Aligned<number> {
  const stream = new Rsi(period);
  return closes.map((x) => stream.update(x));
}
