import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { bollinger, BollingerBands } from "./bollinger";
import { computeIndicators, IndicatorStream } from "./compute";
import { ema, Ema } from "./ema";
import { IndicatorInputError } from "./errors";
import { macd, Macd } from "./macd";
import { rsi, Rsi } from "./rsi";
import type { StreamingIndicator } from "./streaming";
import { seededRandom } from "@torghut/testing";
import { randomBars } from "./test-support";
import type { OhlcvBar } from "./types";
import { SessionVwap, vwap } from "./vwap";

// Four trading days of 1-minute bars, crossing New York midnights.
const BARS = randomBars(5000, 42, Date.UTC(2024, 2, 8, 9));
const CLOSES = BARS.map((b) => b.close);

/** A live-candle variant of `bar`: same time, other prices, as a tick inside the bar would produce. */
function provisional(bar: OhlcvBar, random: () => number): OhlcvBar {
  const close = bar.open * (1 + (random() - 0.5) * 0.004);
  return {
    ...bar,
    close,
    high: Math.max(bar.high, close),
    low: Math.min(bar.low, close),
    volume: random() * bar.volume,
  };
}

/**
 * Feeds each bar as a live candle would arrive: one `update` with a provisional bar, up to three
 * `replace`s with other provisional bars, then a final `replace` with the real bar. The value after the
 * final replace must equal the batch value EXACTLY (same bits), bar by bar.
 */
function liveValues<I, O>(
  stream: StreamingIndicator<unknown, I, O>,
  inputs: readonly OhlcvBar[],
  pick: (b: OhlcvBar) => I,
) {
  const random = seededRandom(99);
  return inputs.map((bar) => {
    stream.update(pick(provisional(bar, random)));
    const revisions = Math.floor(random() * 4);
    for (let r = 0; r < revisions; r++) stream.replace(pick(provisional(bar, random)));
    return stream.replace(pick(bar));
  });
}

describe("batch and incremental agree exactly over 5,000 random 1-minute bars", () => {
  const close = (b: OhlcvBar) => b.close;
  const same = (b: OhlcvBar) => b;

  test("EMA(20): plain updates and live revisions", () => {
    const batch = ema(CLOSES, 20);
    const stream = new Ema(20);
    assert.deepStrictEqual(
      CLOSES.map((c) => stream.update(c)),
      batch,
    );
    assert.deepStrictEqual(liveValues(new Ema(20), BARS, close), batch);
  });

  test("Bollinger(20, 2): plain updates and live revisions", () => {
    const batch = bollinger(CLOSES, 20, 2);
    const stream = new BollingerBands(20, 2);
    assert.deepStrictEqual(
      CLOSES.map((c) => stream.update(c)),
      batch,
    );
    assert.deepStrictEqual(liveValues(new BollingerBands(20, 2), BARS, close), batch);
  });

  test("MACD(12, 26, 9): plain updates and live revisions", () => {
    const batch = macd(CLOSES, 12, 26, 9);
    const stream = new Macd();
    assert.deepStrictEqual(
      CLOSES.map((c) => stream.update(c)),
      batch,
    );
    assert.deepStrictEqual(liveValues(new Macd(), BARS, close), batch);
  });

  test("RSI(14): plain updates and live revisions", () => {
    const batch = rsi(CLOSES, 14);
    const stream = new Rsi(14);
    assert.deepStrictEqual(
      CLOSES.map((c) => stream.update(c)),
      batch,
    );
    assert.deepStrictEqual(liveValues(new Rsi(14), BARS, close), batch);
  });

  test("session VWAP: plain updates and live revisions, including the first bar of each session", () => {
    const batch = vwap(BARS);
    const stream = new SessionVwap();
    assert.deepStrictEqual(
      BARS.map((b) => stream.update(b)),
      batch,
    );
    assert.deepStrictEqual(liveValues(new SessionVwap(), BARS, same), batch);
  });
});

describe("streaming semantics", () => {
  test("replace revises only the last bar and does not count a new one", () => {
    const stream = new Ema(2);
    assert.equal(stream.update(1), null);
    assert.equal(stream.update(3), 2);
    assert.equal(stream.replace(5), 3); // as if 1, 5 had been fed
    assert.equal(stream.count, 2);
    assert.equal(stream.update(6), 5); // 3 + (6 - 3) · 2/3
  });

  test("replace on an empty indicator acts as update", () => {
    const stream = new Rsi(1);
    assert.equal(stream.replace(10), null);
    assert.equal(stream.count, 1);
    assert.equal(stream.update(11), 100);
  });

  test("a refused replace leaves the previous value in place", () => {
    const stream = new BollingerBands(2, 2);
    stream.update(1);
    stream.update(3);
    assert.throws(() => stream.replace(Number.NaN), IndicatorInputError);
    assert.deepEqual(stream.value, { middle: 2, upper: 4, lower: 0 });
  });
});

describe("IndicatorStream", () => {
  const specs = ["ema", "ema:50", "bollinger", "vwap", "macd", "rsi"];

  test("same-time bars revise, later bars append, and the readings equal computeIndicators", () => {
    const bars = BARS.slice(0, 1500);
    const batch = computeIndicators(bars, specs);
    const stream = new IndicatorStream(specs);
    const random = seededRandom(5);
    bars.forEach((bar, i) => {
      stream.push(provisional(bar, random));
      if (random() < 0.5) stream.push(provisional(bar, random));
      const readings = stream.push(bar);
      readings.forEach((reading, s) => {
        const series = batch[s];
        assert.equal(reading.id, series?.id);
        assert.deepStrictEqual(reading.value, series?.values[i], `${reading.id} at bar ${i}`);
      });
    });
  });

  test("pushAll seeds from history and an older bar is refused", () => {
    const stream = new IndicatorStream(["rsi"]);
    const readings = stream.pushAll(BARS.slice(0, 100));
    assert.equal(readings[0]?.value, rsi(CLOSES.slice(0, 100), 14).at(-1));
    assert.throws(() => stream.push(BARS[50] as OhlcvBar), IndicatorInputError);
  });

  test("treats epoch seconds like milliseconds when deciding revise vs append", () => {
    const stream = new IndicatorStream(["ema:2"]);
    const [first, second] = BARS;
    assert.ok(first && second);
    stream.push({ ...first, time: first.time / 1000 });
    stream.push({ ...second, time: second.time / 1000 });
    const revised = stream.push({ ...second, time: second.time, close: first.close });
    assert.equal(revised[0]?.value, first.close); // (first + first) / 2: the second bar was revised
  });
});
