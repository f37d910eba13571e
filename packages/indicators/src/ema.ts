import { assertFinite, assertPeriod } from "./errors";
import { StreamingIndicator } from "./streaming";
import type { Aligned } from "./types";

/**
 * Exponential moving average as StockCharts computes it: the first value (at index period-1) is the
 * simple average of the first `period` inputs, then EMA = (x - EMA_prev) * k + EMA_prev with
 * k = 2 / (period + 1).
 *
 * Hand-written rather than taken from trading-signals: its EMA seeds with the first price instead of
 * the SMA, so its early values differ from StockCharts' published table (22.22, 22.21, ...).
 */
export interface EmaState {
  readonly seen: number;
  readonly seedSum: number;
  readonly value: number | null;
}

export const EMA_START: EmaState = { seen: 0, seedSum: 0, value: null };

export function emaStep(state: EmaState, x: number, period: number): EmaState {
  const seen = state.seen + 1;
  if (state.value === null) {
    const seedSum = state.seedSum + x;
    return { seen, seedSum, value: seen === period ? seedSum / period : null };
  }
  const k = 2 / (period + 1);
  return { seen, seedSum: state.seedSum, value: (x - state.value) * k + state.value };
}

export class Ema extends StreamingIndicator<EmaState, number, number> {
  constructor(readonly period: number) {
    assertPeriod(period, "EMA period");
    super(EMA_START);
  }

  protected step(state: EmaState, x: number): EmaState {
    assertFinite(x, "EMA input");
    return emaStep(state, x, this.period);
  }

  protected read(state: EmaState): number | null {
    return state.value;
  }
}

/** EMA of `values`, aligned with them; the first `period - 1` entries are `null`. */
export function ema(values: readonly number[], period: number): Aligned<number> {
  const stream = new Ema(period);
  return values.map((x) => stream.update(x));
}
