import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { computeIndicators } from "./compute";
import { ema } from "./ema";
import { IndicatorInputError } from "./errors";
import { indicatorId, parseIndicatorSpec } from "./spec";
import { randomBars } from "./test-support";

describe("indicator specs", () => {
  test("parse the text forms with defaults", () => {
    assert.deepEqual(parseIndicatorSpec("ema"), { kind: "ema", period: 20 });
    assert.deepEqual(parseIndicatorSpec(" EMA:50 "), { kind: "ema", period: 50 });
    assert.deepEqual(parseIndicatorSpec("bollinger:10:2.5"), { kind: "bollinger", period: 10, k: 2.5 });
    assert.deepEqual(parseIndicatorSpec("vwap"), { kind: "vwap" });
    assert.deepEqual(parseIndicatorSpec("macd"), { kind: "macd", fast: 12, slow: 26, signal: 9 });
    assert.deepEqual(parseIndicatorSpec("macd:5:35:5"), { kind: "macd", fast: 5, slow: 35, signal: 5 });
    assert.deepEqual(parseIndicatorSpec("rsi"), { kind: "rsi", period: 14 });
  });

  test("refuse unknown names, bad numbers and extra parameters", () => {
    for (const bad of ["sma", "", "ema:x", "ema:-3", "ema:1e3", "rsi:14:2", "vwap:1", "macd:1:2:3:4"]) {
      assert.throws(() => parseIndicatorSpec(bad), IndicatorInputError, bad);
    }
  });

  test("ids are stable and parameterised", () => {
    assert.equal(indicatorId(parseIndicatorSpec("bollinger")), "bollinger(20,2)");
    assert.equal(indicatorId(parseIndicatorSpec("macd")), "macd(12,26,9)");
    assert.equal(indicatorId(parseIndicatorSpec("vwap")), "vwap");
  });
});

describe("computeIndicators", () => {
  const bars = randomBars(300, 1);

  test("returns one aligned series per distinct indicator, in request order", () => {
    const result = computeIndicators(bars, [
      "rsi",
      "ema:10",
      { kind: "ema", period: 10 },
      "macd",
      "vwap",
      "bollinger",
    ]);
    assert.deepEqual(
      result.map((s) => s.id),
      ["rsi(14)", "ema(10)", "macd(12,26,9)", "vwap", "bollinger(20,2)"],
    );
    for (const series of result) assert.equal(series.values.length, bars.length);
    const emaSeries = result.find((s) => s.kind === "ema");
    assert.deepEqual(
      emaSeries?.values,
      ema(
        bars.map((b) => b.close),
        10,
      ),
    );
  });

  test("refuses out-of-range periods", () => {
    assert.throws(() => computeIndicators(bars, ["ema:0"]), IndicatorInputError);
    assert.throws(() => computeIndicators(bars, ["rsi:5000"]), IndicatorInputError);
    assert.throws(() => computeIndicators(bars, ["macd:26:12:9"]), IndicatorInputError);
  });

  test("empty input gives empty series", () => {
    assert.deepEqual(computeIndicators([], ["ema"]), [
      { kind: "ema", id: "ema(20)", spec: { kind: "ema", period: 20 }, values: [] },
    ]);
  });
});
