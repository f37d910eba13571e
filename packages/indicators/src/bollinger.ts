import { assertFinite, assertPeriod, IndicatorInputError } from "./errors";
import { StreamingIndicator } from "./streaming";
import type { Aligned, BollingerPoint } from "./types";

/**
 * Bollinger Bands: middle = SMA(period), bands = middle ± k·σ where σ is the POPULATION standard
 * deviation of the same window (divide by n, as StockCharts and John Bollinger do — not n-1).
 *
 * Both the mean and σ are recomputed over the window on every bar (two passes, O(period)) instead of
 * from running sums: running sums of squares lose precision on prices with a large level and a small
 * spread, and would make a revised bar differ from a freshly computed one in the last bits.
 */
type Window = readonly number[];

export class BollingerBands extends StreamingIndicator<Window, number, BollingerPoint> {
  constructor(
    readonly period = 20,
    readonly k = 2,
  ) {
    assertPeriod(period, "Bollinger period");
    if (!Number.isFinite(k) || k < 0) throw new IndicatorInputError(`Bollinger k must be ≥ 0, got ${k}`);
    super([]);
  }

  protected step(window: Window, x: number): Window {
    assertFinite(x, "Bollinger input");
    const kept = window.length === this.period ? window.slice(1) : window.slice();
    kept.push(x);
    return kept;
  }

  protected read(window: Window): BollingerPoint | null {
    if (window.length < this.period) return null;
    // Averaging offsets from the window's first price keeps the mean exact on a flat market (a raw
    // sum of 20 × 98765.43 would not divide back to 98765.43) and loses fewer bits generally.
    const origin = window[0] ?? 0;
    let offsets = 0;
    for (const x of window) offsets += x - origin;
    const middle = origin + offsets / this.period;
    let squares = 0;
    for (const x of window) squares += (x - middle) * (x - middle);
    const width = this.k * Math.sqrt(squares / this.period);
    return { middle, upper: middle + width, lower: middle - width };
  }
}

/** Bollinger Bands of `closes`, aligned with them; the first `period - 1` entries are `null`. */
export function bollinger(closes: readonly number[], period = 20, k = 2): Aligned<BollingerPoint> {
  const stream = new BollingerBands(period, k);
  return closes.map((x) => stream.update(x));
}
