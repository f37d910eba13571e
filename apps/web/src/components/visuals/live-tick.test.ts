import assert from "node:assert/strict";
import { test } from "node:test";
import { MonotonicBarBuilder, type Candle } from "@/lib/bar-builder";
import { wireTrade as tick } from "@/test-support/wire-trade";
import { tickUpdate } from "./live-tick";

/** The bar of the tick's own minute (its eventTime's), as the hub sends it. */
const minuteBar = (open: number, high: number, low: number, close: number) => ({
  open,
  high,
  low,
  close,
  volume: 100,
  tradeCount: 10,
});

/** The chart's forming candle after `ticks`, as candle-chart folds them. */
function formed(intervalSeconds: number, ticks: unknown[]): Candle | null {
  const builder = new MonotonicBarBuilder(intervalSeconds);
  let candle: Candle | null = null;
  for (const data of ticks) {
    const update = tickUpdate(data, "AAPL");
    if (update?.kind === "minute") candle = builder.applyBar(update.candle) ?? candle;
    else if (update?.kind === "trade") candle = builder.applyTrade(update.epochMs, update.price) ?? candle;
  }
  return candle;
}

test("a spike between two ticks the hub sent still draws the wick: the tick's minute so far", () => {
  const ticks = [
    tick(201, "2026-12-02T15:01:05.000Z", {
      minuteBar: minuteBar(200, 201, 200, 201),
    }),
    // The hub held back a trade at 215 and one at 196 before this one; its minute bar has them.
    tick(203, "2026-12-02T15:01:09.000Z", {
      minuteBar: minuteBar(200, 215, 196, 203),
    }),
  ];
  assert.deepEqual(formed(60, ticks), {
    time: Date.parse("2026-12-02T15:01:00.000Z") / 1000,
    open: 200,
    high: 215,
    low: 196,
    close: 203,
  });
  // A 5-minute candle folds the minutes: its open stays the first minute's.
  const fiveMinutes = formed(300, [
    tick(199, "2026-12-02T15:00:30.000Z", {
      minuteBar: minuteBar(198, 199, 197, 199),
    }),
    ...ticks,
  ]);
  assert.deepEqual(fiveMinutes, {
    time: Date.parse("2026-12-02T15:00:00.000Z") / 1000,
    open: 198,
    high: 215,
    low: 196,
    close: 203,
  });
});

test("without a minute bar the trade's price; a suspicious, another symbol's or a malformed tick is not drawn", () => {
  assert.deepEqual(tickUpdate(tick(201, "2026-12-02T15:01:05.000Z"), "AAPL"), {
    kind: "trade",
    epochMs: Date.parse("2026-12-02T15:01:05.000Z"),
    price: 201,
    from: { source: "alpaca", delayed: false },
  });
  assert.equal(tickUpdate(tick(260, "2026-12-02T15:01:05.000Z", { suspicious: true }), "AAPL"), null);
  assert.equal(tickUpdate(tick(201, "2026-12-02T15:01:05.000Z", { symbol: "MSFT" }), "AAPL"), null);
  const badBar = { minuteBar: { ...minuteBar(1, 2, 1, 2), tradeCount: -1 } };
  assert.equal(tickUpdate(tick(201, "2026-12-02T15:01:05.000Z", badBar), "AAPL"), null);
});
