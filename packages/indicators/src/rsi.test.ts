import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { rsi } from "./rsi";
import { assertClose, randomBars } from "./test-support";

// StockCharts ChartSchool, "Relative Strength Index (RSI)", cs-rsi spreadsheet: Wilder's 14-day RSI
// example (QQQQ, 14-Dec-09 .. 1-Feb-10). Closes as printed (4 decimals), RSI printed to 2 decimals.
const CLOSES = [
  44.3389, 44.0902, 44.1497, 43.6124, 44.3278, 44.8264, 45.0955, 45.4245, 45.8433, 46.0826, 45.8931, 46.0328,
  45.614, 46.282, 46.282, 46.0028, 46.0328, 46.4116, 46.2222, 45.6439, 46.2122, 46.2521, 45.7137, 46.4515,
  45.7835, 45.3548, 44.0288, 44.1783, 44.2181, 44.5672, 43.4205, 42.6628, 43.1314,
];
const RSI14 = [
  70.53, 66.32, 66.55, 69.41, 66.36, 57.97, 62.93, 63.26, 56.06, 62.38, 54.71, 50.42, 39.99, 41.46, 41.87,
  45.46, 37.3, 33.08, 37.77,
];

/**
 * Reference by a different route: Wilder's average written out as a weighted sum and evaluated from
 * scratch per index (O(n²)): avg_i = seed·w^(i-p) + Σ_{j=p+1..i} (1/p)·w^(i-j)·x_j, w = (p-1)/p.
 */
function naiveRsi(closes: readonly number[], period: number): (number | null)[] {
  const w = (period - 1) / period;
  const gains = closes.map((c, i) => (i === 0 ? 0 : Math.max(0, c - (closes[i - 1] ?? c))));
  const losses = closes.map((c, i) => (i === 0 ? 0 : Math.max(0, (closes[i - 1] ?? c) - c)));
  const smoothed = (moves: number[], i: number): number => {
    let seed = 0;
    for (let j = 1; j <= period; j++) seed += moves[j] ?? 0;
    let result = (seed / period) * w ** (i - period);
    for (let j = period + 1; j <= i; j++) result += ((moves[j] ?? 0) / period) * w ** (i - j);
    return result;
  };
  return closes.map((_, i) => {
    if (i < period) return null;
    const gain = smoothed(gains, i);
    const loss = smoothed(losses, i);
    if (loss === 0) return gain === 0 ? 50 : 100;
    return 100 - 100 / (1 + gain / loss);
  });
}

describe("RSI (Wilder)", () => {
  test("matches StockCharts' published cs-rsi table (first RSI 70.53) to the printed 2 decimals", () => {
    assertClose(rsi(CLOSES, 14), [...Array<null>(14).fill(null), ...RSI14], 0.005, "rsi14");
  });

  test("hand-computed: period 2 over 10, 12, 11, 11, 14", () => {
    // Changes +2, -1, 0, +3. Seed: gain 1, loss 0.5 → RS 2 → 66.67. Then gain (1+0)/2 = 0.5,
    // loss 0.25 → RS 2 → 66.67. Then gain (0.5+3)/2 = 1.75, loss 0.125 → RS 14 → 100 - 100/15.
    assertClose(rsi([10, 12, 11, 11, 14], 2), [null, null, 200 / 3, 200 / 3, 100 - 100 / 15], 1e-12, "rsi2");
  });

  test("agrees with a naive O(n²) weighted-sum recomputation over 400 random closes", () => {
    const closes = randomBars(400, 11).map((b) => b.close);
    for (const period of [2, 14, 30])
      assertClose(rsi(closes, period), naiveRsi(closes, period), 1e-9, `rsi(${period})`);
  });

  test("is 100 when nothing fell, 0 when nothing rose, and 50 on a flat market", () => {
    assert.equal(rsi([1, 2, 3, 4, 5], 3).at(-1), 100);
    assert.equal(rsi([5, 4, 3, 2, 1], 3).at(-1), 0);
    assert.equal(rsi([7, 7, 7, 7, 7], 3).at(-1), 50);
  });

  test("needs period + 1 closes for its first value", () => {
    assert.deepEqual(rsi([1, 2, 3], 3), [null, null, null]);
    assert.deepEqual(rsi([1, 2, 3, 4], 3), [null, null, null, 100]);
  });
});
