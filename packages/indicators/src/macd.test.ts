import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { IndicatorInputError } from "./errors";
import { macd } from "./macd";
import { assertClose, closedFormEma, randomBars } from "./test-support";

describe("MACD", () => {
  test("hand-computed with fast 2, slow 3, signal 2 over 2, 4, 6, 10, 10", () => {
    // EMA2 (k 2/3): 3, 5, 25/3, 85/9 from index 1. EMA3 (k 1/2): 4, 7, 17/2 from index 2.
    // MACD: 1, 4/3, 17/18. Signal seed (1 + 4/3)/2 = 7/6, then 7/6 + (17/18 - 7/6)·2/3 = 55/54.
    const [a, b, c, d, e] = macd([2, 4, 6, 10, 10], 2, 3, 2);
    assert.equal(a, null);
    assert.equal(b, null);
    assert.deepEqual(c, { macd: 1, signal: null, histogram: null });
    assertClose([d?.macd, d?.signal, d?.histogram], [4 / 3, 7 / 6, 1 / 6], 1e-12, "index 3");
    assertClose([e?.macd, e?.signal, e?.histogram], [17 / 18, 55 / 54, -2 / 27], 1e-12, "index 4");
  });

  test("12/26/9 starts its line at index 25 and its signal at index 33", () => {
    const values = macd(Array.from({ length: 40 }, (_, i) => 100 + i));
    assert.equal(
      values.findIndex((p) => p !== null),
      25,
    );
    assert.equal(
      values.findIndex((p) => p?.signal != null),
      33,
    );
    // On a straight line each SMA-seeded EMA lags by (n-1)/2, so MACD = 12.5 - 5.5 = 7 and the
    // histogram is 0.
    for (const point of values.slice(33)) {
      assert.ok(point && Math.abs(point.macd - 7) < 1e-9 && Math.abs(point.histogram ?? 1) < 1e-9);
    }
  });

  test("agrees with a naive O(n²) closed-form EMA recomputation over 400 random closes (no published table found)", () => {
    const closes = randomBars(400, 5).map((b) => b.close);
    const fast = closedFormEma(closes, 12);
    const slow = closedFormEma(closes, 26);
    const line = closes.map((_, i) => {
      const f = fast[i];
      const s = slow[i];
      return f == null || s == null ? null : f - s;
    });
    const signal = closedFormEma(line, 9);
    const got = macd(closes, 12, 26, 9);
    assertClose(
      got.map((p) => p?.macd ?? null),
      line,
      1e-9,
      "macd",
    );
    assertClose(
      got.map((p) => p?.signal ?? null),
      signal,
      1e-9,
      "signal",
    );
    const histogram = line.map((m, i) => (m === null || signal[i] == null ? null : m - (signal[i] ?? 0)));
    assertClose(
      got.map((p) => p?.histogram ?? null),
      histogram,
      1e-9,
      "histogram",
    );
  });

  test("refuses a fast period that is not below the slow one", () => {
    assert.throws(() => macd([1, 2, 3], 26, 12, 9), IndicatorInputError);
    assert.throws(() => macd([1, 2, 3], 12, 12, 9), IndicatorInputError);
  });
});
