import assert from "node:assert/strict";
import { test } from "node:test";
import type { Candle } from "@/lib/bar-builder";
import type { ProvenanceRun } from "@/lib/candle-columns";
import { provenanceMarkers } from "./provenance-style";

const T0 = Date.parse("2026-12-02T14:30:00Z") / 1000;
const live: ProvenanceRun[] = [{ start: 0, source: "alpaca", delayed: false }];

/** Candles at these minute offsets from T0 (each offset one bar). */
function candlesAt(minutes: readonly number[], intervalSeconds = 60): Candle[] {
  return minutes.map((m) => ({
    time: T0 + m * intervalSeconds,
    open: 10,
    high: 11,
    low: 9,
    close: 10.5,
  }));
}

const gaps = (candles: Candle[], intervalSeconds = 60) =>
  provenanceMarkers(candles, live, intervalSeconds)
    .filter((m) => m.shape === "square")
    .map((m) => [(m.time as number) - T0, m.text]);

test("gaps: one or two missing bars get a bare square, three or more say how long", () => {
  // Missing: minute 2 (1 bar), minutes 5–6 (2 bars), minutes 9–11 (3 bars), minutes 13–82 (70 bars).
  assert.deepEqual(gaps(candlesAt([0, 1, 3, 4, 7, 8, 12, 83])), [
    [3 * 60, ""],
    [7 * 60, ""],
    [12 * 60, "gap 3m"],
    [83 * 60, "gap 1h 10m"],
  ]);
});

test("gaps: on 5m bars a missing bar is five minutes, labelled from three bars", () => {
  assert.deepEqual(gaps(candlesAt([0, 2, 6], 300), 300), [
    [2 * 300, ""],
    [6 * 300, "gap 15m"],
  ]);
});

test("gaps: a night or a weekend (4 h or more) is not a gap, nor are daily bars", () => {
  assert.deepEqual(gaps(candlesAt([0, 1, 1 + 17 * 60])), []);
  assert.deepEqual(gaps(candlesAt([0, 2, 5], 86_400), 86_400), []);
});

test("runs: a Yahoo run and a backfill run are each marked where they start", () => {
  const candles = candlesAt([0, 1, 2, 3]);
  const markers = provenanceMarkers(
    candles,
    [
      { start: 0, source: "alpaca", delayed: false },
      { start: 1, source: "yahoo", delayed: true },
      { start: 3, source: "backfill", delayed: false },
    ],
    60,
  ).map((m) => [(m.time as number) - T0, m.shape, m.text]);
  assert.deepEqual(markers, [
    [60, "arrowDown", "yahoo · DELAYED"],
    [180, "arrowDown", "backfill"],
  ]);
});
