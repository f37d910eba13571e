import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Ema, ema } from "./ema";
import { IndicatorInputError } from "./errors";
import { assertClose, closedFormEma, randomBars } from "./test-support";

// StockCharts ChartSchool, "Moving Averages - Simple and Exponential", 10-day EMA of Intel (INTC)
// closes 24-Mar-10 .. 5-May-10 (cs-movavg spreadsheet); results printed to 2 decimals.
const INTC = [
  22.27, 22.19, 22.08, 22.17, 22.18, 22.13, 22.23, 22.43, 22.24, 22.29, 22.15, 22.39, 22.38, 22.61, 23.36,
  24.05, 23.75, 23.83, 23.95, 23.63, 23.82, 23.87, 23.65, 23.19, 23.1, 23.33, 22.68, 23.1, 22.4, 22.17,
];
const INTC_EMA10 = [
  22.22, 22.21, 22.24, 22.27, 22.33, 22.52, 22.8, 22.97, 23.13, 23.28, 23.34, 23.43, 23.51, 23.53, 23.47,
  23.4, 23.39, 23.26, 23.23, 23.08, 22.92,
];

describe("EMA", () => {
  test("matches StockCharts' published 10-day Intel EMA table to the printed 2 decimals", () => {
    const values = ema(INTC, 10);
    assertClose(values, [...Array<null>(9).fill(null), ...INTC_EMA10], 0.005, "ema10");
    // The seed is the plain 10-day average, 22.221 (printed as 22.22).
    assert.ok(Math.abs((values[9] ?? 0) - 22.221) < 1e-12);
  });

  test("hand-computed: period 3 over 1, 2, 3, 10, 4 (seed 2, then k = 0.5 gives 6 and 5)", () => {
    assert.deepEqual(ema([1, 2, 3, 10, 4], 3), [null, null, 2, 6, 5]);
  });

  test("agrees with a naive O(n²) closed-form recomputation over 400 random closes", () => {
    const closes = randomBars(400, 7).map((b) => b.close);
    for (const period of [1, 2, 9, 20, 50]) {
      assertClose(ema(closes, period), closedFormEma(closes, period), 1e-9, `ema(${period})`);
    }
  });

  test("period 1 is the input itself", () => {
    assert.deepEqual(ema([3, 1, 4, 1, 5], 1), [3, 1, 4, 1, 5]);
  });

  test("refuses bad periods and non-finite prices without corrupting its state", () => {
    for (const bad of [0, -1, 1.5, 1001, Number.NaN]) {
      assert.throws(() => ema([1, 2, 3], bad), IndicatorInputError);
    }
    const stream = new Ema(2);
    stream.update(1);
    stream.update(3);
    const error = (() => {
      try {
        stream.update(Number.NaN);
      } catch (caught) {
        return caught;
      }
      return null;
    })();
    assert.ok(error instanceof IndicatorInputError);
    assert.equal(error.retryable, false);
    assert.equal(stream.count, 2);
    assert.equal(stream.value, 2);
    assert.equal(stream.update(5), 4); // 2 + (5 - 2) · 2/3
  });
});
