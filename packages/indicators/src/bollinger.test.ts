import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { bollinger } from "./bollinger";
import { IndicatorInputError } from "./errors";
import { assertClose, randomBars } from "./test-support";

// StockCharts ChartSchool, "Bollinger Bands", SPY (20,2) spreadsheet, 29-May-09 .. 30-Jun-09.
// Closes and results are printed to 2 decimals; the sheet computed from unrounded prices, so the
// middle band and σ can be off by the input rounding (≤ 0.005) plus the print rounding (≤ 0.005),
// and the bands by that plus twice σ's share.
const SPY = [
  90.7, 92.9, 92.98, 91.8, 92.66, 92.68, 92.3, 92.77, 92.54, 92.95, 93.2, 91.07, 89.83, 89.74, 90.4, 90.74,
  88.02, 88.09, 88.84, 90.78, 90.54, 91.39, 90.65,
];
const SPY_MIDDLE = [91.25, 91.24, 91.17, 91.05];
const SPY_SIGMA = [1.64, 1.65, 1.6, 1.55];
const SPY_UPPER = [94.53, 94.53, 94.37, 94.15];
const SPY_LOWER = [87.97, 87.95, 87.96, 87.95];

/** Reference by a different formula: σ² = E[x²] - E[x]², window re-summed from scratch each bar. */
function naiveBands(closes: readonly number[], period: number, k: number) {
  return closes.map((_, i) => {
    if (i < period - 1) return null;
    const window = closes.slice(i - period + 1, i + 1);
    const mean = window.reduce((a, b) => a + b, 0) / period;
    const meanOfSquares = window.reduce((a, b) => a + b * b, 0) / period;
    const sigma = Math.sqrt(Math.max(0, meanOfSquares - mean * mean));
    return { middle: mean, upper: mean + k * sigma, lower: mean - k * sigma };
  });
}

describe("Bollinger Bands", () => {
  test("match StockCharts' published SPY (20,2) spreadsheet rows 25-Jun-09 .. 30-Jun-09", () => {
    const bands = bollinger(SPY, 20, 2);
    assert.equal(
      bands.findIndex((b) => b !== null),
      19,
    );
    const last4 = bands.slice(19);
    assertClose(
      last4.map((b) => b?.middle),
      SPY_MIDDLE,
      0.0101,
      "middle",
    );
    assertClose(
      last4.map((b) => b && (b.upper - b.middle) / 2),
      SPY_SIGMA,
      0.0101,
      "sigma",
    );
    assertClose(
      last4.map((b) => b?.upper),
      SPY_UPPER,
      0.02,
      "upper",
    );
    assertClose(
      last4.map((b) => b?.lower),
      SPY_LOWER,
      0.02,
      "lower",
    );
  });

  test("match great-trades.com's published 5-bar, 2σ worked example (26.6 / 27.808 / 25.392)", () => {
    const last = bollinger([25.5, 26.75, 27.0, 26.5, 27.25], 5, 2).at(-1);
    assert.ok(last);
    assert.ok(Math.abs(last.middle - 26.6) < 1e-12);
    assert.ok(Math.abs(last.upper - 27.808) < 0.001);
    assert.ok(Math.abs(last.lower - 25.392) < 0.001);
  });

  test("use the population σ: 2,4,4,4,5,5,7,9 has σ = 2 exactly (the sample σ would be 2.14)", () => {
    assert.deepEqual(bollinger([2, 4, 4, 4, 5, 5, 7, 9], 8, 2).at(-1), { middle: 5, upper: 9, lower: 1 });
    assert.deepEqual(bollinger([2, 4, 4, 4, 5, 5, 7, 9], 8, 1.5).at(-1), { middle: 5, upper: 8, lower: 2 });
  });

  test("agree with a naive E[x²]-E[x]² recomputation over 400 random closes", () => {
    const closes = randomBars(400, 3).map((b) => b.close);
    const got = bollinger(closes, 20, 2);
    const want = naiveBands(closes, 20, 2);
    assertClose(
      got.map((b) => b?.middle ?? null),
      want.map((b) => b?.middle ?? null),
      1e-9,
      "middle",
    );
    assertClose(
      got.map((b) => b?.upper ?? null),
      want.map((b) => b?.upper ?? null),
      1e-7,
      "upper",
    );
    assertClose(
      got.map((b) => b?.lower ?? null),
      want.map((b) => b?.lower ?? null),
      1e-7,
      "lower",
    );
  });

  test("collapse onto a flat price even at a large price level", () => {
    const flat = bollinger(Array<number>(30).fill(98765.43), 20, 2).at(-1);
    assert.deepEqual(flat, { middle: 98765.43, upper: 98765.43, lower: 98765.43 });
  });

  test("refuse a negative or non-finite width", () => {
    assert.throws(() => bollinger([1, 2, 3], 2, -1), IndicatorInputError);
    assert.throws(() => bollinger([1, 2, 3], 2, Number.POSITIVE_INFINITY), IndicatorInputError);
  });
});
