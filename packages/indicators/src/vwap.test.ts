import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { IndicatorInputError } from "./errors";
import { newYorkSessionDay } from "./session";
import { assertClose, randomBars } from "./test-support";
import type { OhlcvBar } from "./types";
import { vwap } from "./vwap";

const bar = (iso: string, high: number, low: number, close: number, volume: number): OhlcvBar => ({
  time: Date.parse(iso),
  open: close,
  high,
  low,
  close,
  volume,
});

// Fixture of an independent implementation (Python `ta`, test/data/cs-vwap.csv): rows 0-13 are still
// the cumulative VWAP from the first row, i.e. one anchored session. Columns: high, low, close, volume,
// vwap.
const TA_VWAP_ROWS = [
  [24.8283, 24.3205, 24.7486, 18730.144, 24.632466666666666],
  [24.7586, 24.5993, 24.7088, 12271.74, 24.654805154030853],
  [25.1568, 24.7785, 25.0373, 24691.414, 24.80379676048873],
  [25.5848, 24.9477, 25.545, 18357.606, 24.9414758619062],
  [25.6844, 24.8083, 25.0672, 22964.08, 24.99950623571372],
  [25.336, 25.0572, 25.107, 15918.948, 25.02307824302856],
  [25.2862, 24.8482, 24.888, 16067.044, 25.021133824528068],
  [25.1269, 24.7496, 24.9975, 16568.487, 25.013948032058988],
  [25.2762, 24.9278, 25.0473, 16018.729, 25.020869365685463],
  [25.3857, 25.0274, 25.336, 9773.569, 25.03392065542907],
  [25.5351, 25.0473, 25.0572, 22572.712, 25.054787605744554],
  [25.6048, 25.0622, 25.4455, 12986.669, 25.074623090960745],
  [25.7441, 25.5351, 25.5649, 10906.659, 25.101664793872967],
  [25.7242, 25.4554, 25.555, 5799.259, 25.11402265022072],
] as const;

describe("session-anchored VWAP", () => {
  test("hand-worked: accumulates typical price × volume and resets on a new New York day", () => {
    const bars = [
      bar("2024-03-01T14:30:00Z", 10, 8, 9, 100), // TP 9 → 900 / 100 = 9
      bar("2024-03-01T14:31:00Z", 12, 9, 12, 300), // TP 11 → (900 + 3300) / 400 = 10.5
      bar("2024-03-01T14:32:00Z", 11, 10, 10.5, 0), // no volume: unchanged
      bar("2024-03-02T14:30:00Z", 20, 20, 20, 50), // next day: starts over at 20
    ];
    assert.deepEqual(vwap(bars), [9, 10.5, 10.5, 20]);
  });

  test("matches the Python `ta` cs-vwap fixture over its cumulative rows", () => {
    const bars = TA_VWAP_ROWS.map(([high, low, close, volume], i) => ({
      time: Date.UTC(2010, 11, 3 + i),
      open: close,
      high,
      low,
      close,
      volume,
    }));
    const got = vwap(bars, { sessionKey: () => "one session" });
    assertClose(
      got,
      TA_VWAP_ROWS.map((row) => row[4]),
      1e-9,
      "vwap",
    );
  });

  test("session = New York calendar day, across both DST regimes and the switch itself", () => {
    const cases: [string, string][] = [
      ["2024-03-01T04:59:00Z", "2024-02-29"], // 23:59 EST
      ["2024-03-01T05:00:00Z", "2024-03-01"], // 00:00 EST
      ["2024-03-10T06:59:00Z", "2024-03-10"], // 01:59 EST, minutes before the spring-forward
      ["2024-03-11T03:59:00Z", "2024-03-10"], // 23:59 EDT
      ["2024-03-11T04:00:00Z", "2024-03-11"], // 00:00 EDT
      ["2024-07-01T03:59:00Z", "2024-06-30"],
      ["2024-11-03T05:30:00Z", "2024-11-03"], // 01:30 EDT, before fall-back
      ["2024-11-04T04:59:00Z", "2024-11-03"], // 23:59 EST
      ["2024-11-04T05:00:00Z", "2024-11-04"],
    ];
    for (const [iso, day] of cases) assert.equal(newYorkSessionDay(Date.parse(iso)), day, iso);
  });

  test("an evening bar and the next morning's pre-market are different sessions", () => {
    const evening = bar("2024-07-01T23:59:00Z", 10, 10, 10, 100); // 19:59 EDT
    const preMarket = bar("2024-07-02T08:00:00Z", 30, 30, 30, 100); // 04:00 EDT next day
    const sameNight = bar("2024-07-02T03:59:00Z", 30, 30, 30, 100); // 23:59 EDT same day
    assert.deepEqual(vwap([evening, preMarket]), [10, 30]);
    assert.deepEqual(vwap([evening, sameNight]), [10, 20]);
  });

  test("epoch seconds and epoch milliseconds give the same result", () => {
    const bars = randomBars(600, 21, Date.UTC(2024, 6, 1, 20), 60_000);
    const inSeconds = bars.map((b) => ({ ...b, time: b.time / 1000 }));
    assert.deepEqual(vwap(inSeconds), vwap(bars));
  });

  test("is null until the session has traded volume", () => {
    const bars = [bar("2024-03-01T14:30:00Z", 10, 8, 9, 0), bar("2024-03-01T14:31:00Z", 12, 9, 12, 10)];
    assert.deepEqual(vwap(bars), [null, 11]);
  });

  test("agrees with a naive O(n²) recomputation over 5 days of 5-minute bars across the DST switch", () => {
    const bars = randomBars(1500, 9, Date.UTC(2024, 2, 8, 9), 5 * 60_000);
    // Deliberately another route to the calendar day: toLocaleDateString rather than the cached formatter.
    const days = bars.map((b) =>
      new Date(b.time).toLocaleDateString("en-US", { timeZone: "America/New_York" }),
    );
    const want = bars.map((_, i) => {
      let pv = 0;
      let v = 0;
      for (let j = 0; j <= i; j++) {
        const other = bars[j];
        if (other && days[j] === days[i]) {
          pv += ((other.high + other.low + other.close) / 3) * other.volume;
          v += other.volume;
        }
      }
      return v > 0 ? pv / v : null;
    });
    assertClose(vwap(bars), want, 1e-9, "vwap");
  });

  test("refuses negative volume and non-finite prices", () => {
    assert.throws(() => vwap([bar("2024-03-01T14:30:00Z", 10, 8, 9, -1)]), IndicatorInputError);
    assert.throws(() => vwap([bar("2024-03-01T14:30:00Z", Number.NaN, 8, 9, 1)]), IndicatorInputError);
  });
});
