import { EMA_START, emaStep, type EmaState } from "./ema";
import { assertFinite, assertPeriod, IndicatorInputError } from "./errors";
import { StreamingIndicator } from "./streaming";
import type { Aligned, MacdPoint } from "./types";

/**
 * MACD (Appel) as StockCharts computes it: MACD line = EMA(fast) - EMA(slow), both SMA-seeded; the
 * signal line is an SMA-seeded EMA(signal) of the MACD line; histogram = MACD - signal. With 12/26/9
 * the MACD line starts at index 25 and the signal/histogram at index 33.
 */
interface MacdState {
  readonly fast: EmaState;
  readonly slow: EmaState;
  readonly signal: EmaState;
}

export class Macd extends StreamingIndicator<MacdState, number, MacdPoint> {
  constructor(
    readonly fastPeriod = 12,
    readonly slowPeriod = 26,
    readonly signalPeriod = 9,
  ) {
    assertPeriod(fastPeriod, "MACD fast period");
    assertPeriod(slowPeriod, "MACD slow period");
    assertPeriod(signalPeriod, "MACD signal period");
    if (fastPeriod >= slowPeriod) {
      throw new IndicatorInputError(
        `MACD fast period must be below the slow one (${fastPeriod} ≥ ${slowPeriod})`,
      );
    }
    super({ fast: EMA_START, slow: EMA_START, signal: EMA_START });
  }

  protected step(state: MacdState, close: number): MacdState {
    assertFinite(close, "MACD input");
    const fast = emaStep(state.fast, close, this.fastPeriod);
    const slow = emaStep(state.slow, close, this.slowPeriod);
    const line = fast.value !== null && slow.value !== null ? fast.value - slow.value : null;
    const signal = line === null ? state.signal : emaStep(state.signal, line, this.signalPeriod);
    return { fast, slow, signal };
  }

  protected read(state: MacdState): MacdPoint | null {
    if (state.fast.value === null || state.slow.value === null) return null;
    const macd = state.fast.value - state.slow.value;
    const signal = state.signal.value;
    return { macd, signal, histogram: signal === null ? null : macd - signal };
  }
}

/** MACD of `closes`, aligned with them; `null` until the slow EMA exists. */
export function macd(closes: readonly number[], fast = 12, slow = 26, signal = 9): Aligned<MacdPoint> {
  const stream = new Macd(fast, slow, signal);
  return closes.map((x) => stream.update(x));
}
