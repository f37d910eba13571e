import assert from "node:assert/strict";
import { test } from "node:test";
import { manualFrames, summary } from "@/test-support/watch-store-harness";
import { wireTrade } from "@/test-support/wire-trade";

// The day's range and volume: the stored figures (the REST summary, through `lastMinute`) and the
// live minutes each tick brings (`minuteBar`), which hold the trades the hub never sent.

/** A tick at `at` whose minute's bar so far came to `volume` over `trades` and reached `high`/`low`. */
const tickWithMinute = (
  price: number,
  at: string,
  bar: { high: number; low: number; volume: number; trades: number },
) =>
  wireTrade(price, at, {
    tradeId: `${at}`,
    minuteBar: {
      open: price,
      high: bar.high,
      low: bar.low,
      close: price,
      volume: bar.volume,
      tradeCount: bar.trades,
    },
  });

test("the ticks the hub held back still reach the day: range and volume from each tick's minute so far", () => {
  const { store, wire, runFrame } = manualFrames();
  // Stored through 15:00; the session is 2026-12-02 in New York.
  store.applySummaries([summary({ lastMinute: "2026-12-02T15:00:00.000Z" })]);
  assert.equal(store.row("AAPL").volume, 12_000);
  // 15:01: the client got one tick of 30 trades; one of the others was a spike to 215.
  wire.trade(
    tickWithMinute(203, "2026-12-02T15:01:10.000Z", {
      high: 215,
      low: 202,
      volume: 300,
      trades: 30,
    }),
  );
  runFrame();
  let row = store.row("AAPL");
  assert.deepEqual([row.low, row.high], [199, 215], "the spike no tick carried");
  assert.equal(row.volume, 12_300);
  // Later ticks of the same minute replace its figures (they are cumulative), the next adds to them.
  wire.trade(
    tickWithMinute(204, "2026-12-02T15:01:40.000Z", {
      high: 215,
      low: 202,
      volume: 500,
      trades: 50,
    }),
  );
  wire.trade(
    tickWithMinute(204, "2026-12-02T15:02:01.000Z", {
      high: 204,
      low: 204,
      volume: 20,
      trades: 2,
    }),
  );
  runFrame();
  assert.equal(store.row("AAPL").volume, 12_520);

  // The next answer has stored 15:01 (its volume now in the stored figure) but its bars' high is
  // the stored one: the same session's live range is never narrowed by a poll.
  store.applySummaries([summary({ lastMinute: "2026-12-02T15:01:00.000Z", volume: 12_500, high: 215 })]);
  row = store.row("AAPL");
  assert.equal(row.volume, 12_520, "15:01 counted once, 15:02 still live");
  store.applySummaries([summary({ lastMinute: "2026-12-02T15:01:00.000Z", volume: 12_500, high: 205 })]);
  assert.equal(store.row("AAPL").high, 215, "a poll of the same session does not lower the high");

  // A new session replaces the day, live minutes of the old one go.
  store.applySummaries([
    summary({
      session: "2026-12-03",
      lastMinute: "2026-12-03T14:30:00.000Z",
      volume: 800,
      high: 210,
      low: 208,
    }),
  ]);
  row = store.row("AAPL");
  assert.deepEqual([row.low, row.high, row.volume], [208, 210, 800]);
});

test("live minutes heard before the first answer still count once it comes; another day's never do", () => {
  const { store, wire, runFrame } = manualFrames();
  wire.trade(
    tickWithMinute(203, "2026-12-02T15:01:10.000Z", {
      high: 203,
      low: 203,
      volume: 40,
      trades: 4,
    }),
  );
  wire.trade(
    tickWithMinute(203, "2026-12-02T15:02:10.000Z", {
      high: 203,
      low: 203,
      volume: 70,
      trades: 7,
    }),
  );
  runFrame();
  assert.equal(store.row("AAPL").volume, null, "no day figures yet: a few live minutes are not the day");
  store.applySummaries([summary({ lastMinute: "2026-12-02T15:01:00.000Z" })]);
  assert.equal(store.row("AAPL").volume, 12_070, "15:01 is stored, 15:02 is not");
  // A minute of the next New York day (a summary that still names yesterday) does not add to it.
  wire.trade(
    tickWithMinute(203, "2026-12-03T14:30:10.000Z", {
      high: 203,
      low: 203,
      volume: 900,
      trades: 9,
    }),
  );
  runFrame();
  assert.equal(store.row("AAPL").volume, 12_070);
});
