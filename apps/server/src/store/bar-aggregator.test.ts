import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import type { Bar1m, Trade } from "@torghut/contracts";
import { createDb, type Database } from "@torghut/db";
import { ManualClock } from "../clock";
import { eventually } from "@torghut/testing";
import { BarAggregator, type BarEventKind } from "./bar-aggregator";
import { queryBars } from "./bars/minute-bars";

const T0 = Date.UTC(2026, 0, 5, 15, 0, 0);

function trade(
  symbol: string,
  eventTime: string,
  price: number,
  size: number,
  extra: Partial<Trade> = {},
): Trade {
  return {
    kind: "trade",
    symbol,
    eventTime,
    receivedAt: T0,
    source: "alpaca",
    delayed: false,
    price,
    size,
    tradeId: `${symbol}-${eventTime}-${price}`,
    exchange: "V",
    conditions: [],
    tape: "C",
    suspicious: false,
    ...extra,
  };
}

describe("BarAggregator", () => {
  let database: Database;
  let clock: ManualClock;
  let events: { bar: Bar1m; kind: BarEventKind }[];
  let aggregator: BarAggregator;

  before(async () => {
    database = await createDb({ inMemory: true });
  });
  after(() => database.close());
  beforeEach(async () => {
    await database.query("TRUNCATE bars_1m, bars_5m, bars_1h, bars_1d");
    clock = new ManualClock(T0);
    events = [];
    aggregator = new BarAggregator(database, { onBar: (bar, kind) => events.push({ bar, kind }) }, clock);
  });

  const storedBars = (symbol: string) => queryBars(database, symbol, T0 - 3_600_000, T0 + 3_600_000);

  test("a known minute gives the hand-computed OHLCV, VWAP and count; suspicious prints stay out", async () => {
    aggregator.onTrade(trade("AAPL", "2026-01-05T15:00:05Z", 10, 100));
    aggregator.onTrade(trade("AAPL", "2026-01-05T15:00:20.5Z", 12, 50));
    aggregator.onTrade(trade("AAPL", "2026-01-05T15:00:30.000000001Z", 9, 200));
    aggregator.onTrade(trade("AAPL", "2026-01-05T15:00:35Z", 50, 1000, { suspicious: true }));
    aggregator.onTrade(trade("AAPL", "2026-01-05T15:00:10Z", 11, 150)); // arrives out of order
    aggregator.onTrade(
      trade("AAPL", "2026-01-05T15:00:59.999999999Z", 10.5, 100, { source: "yahoo", delayed: true }),
    );
    aggregator.onTrade(trade("MSFT", "2026-01-05T15:00:40Z", 400, 10, { suspicious: true }));

    // Σ p·q = 1000 + 600 + 1800 + 1650 + 1050 = 6100 over 600 shares.
    const expected: Bar1m = {
      symbol: "AAPL",
      minute: "2026-01-05T15:00:00.000Z",
      open: 10,
      high: 12,
      low: 9,
      close: 10.5,
      volume: 600,
      vwap: 6100 / 600,
      tradeCount: 5,
      source: "yahoo",
      delayed: true,
    };
    assert.deepEqual(aggregator.currentBar("AAPL"), expected);
    assert.equal(aggregator.currentBar("MSFT"), null, "a minute of only suspicious prints has no bar");

    clock.advance(61_000); // the minute ended, but trades may still be in flight (2 s grace)
    assert.deepEqual(events, []);
    clock.advance(1_000); // no new trade: the wall-clock timer closes it
    assert.deepEqual(events, [{ bar: expected, kind: "closed" }]);
    await eventually(async () => (await storedBars("AAPL")).length === 1, "the upserted bar", 20_000);
    assert.deepEqual(await storedBars("AAPL"), [expected]);
    assert.deepEqual(await storedBars("MSFT"), []);
  });

  test("the first trade of a later minute closes the open bar without waiting for the timer", () => {
    aggregator.onTrade(trade("NVDA", "2026-01-05T15:00:01Z", 5, 1));
    aggregator.onTrade(trade("NVDA", "2026-01-05T15:01:00Z", 6, 2));
    assert.deepEqual(
      events.map((e) => [e.kind, e.bar.minute, e.bar.close]),
      [["closed", "2026-01-05T15:00:00.000Z", 5]],
    );
    assert.equal(aggregator.currentBar("NVDA")?.open, 6);
  });

  test("a late trade is merged into its closed minute and re-upserted once; a too-old one is not", async () => {
    aggregator.onTrade(trade("TSLA", "2026-01-05T15:00:10Z", 20, 10));
    aggregator.onTrade(trade("TSLA", "2026-01-05T15:00:50Z", 21, 10));
    clock.advance(62_000);
    await aggregator.flush();
    aggregator.onTrade(trade("TSLA", "2026-01-05T15:00:05Z", 19, 20)); // new open and low
    aggregator.onTrade(trade("TSLA", "2026-01-05T15:00:55Z", 22, 10)); // new close and high
    aggregator.onTrade(trade("TSLA", "2026-01-05T14:50:00Z", 99, 10)); // beyond the 5-minute window
    clock.advance(1_000);
    await aggregator.flush();
    const updated = events.filter((e) => e.kind === "updated");
    assert.equal(updated.length, 1, "two late trades, one coalesced update");
    const merged = {
      open: 19,
      high: 22,
      low: 19,
      close: 22,
      volume: 50,
      tradeCount: 4,
      vwap: (200 + 210 + 380 + 220) / 50,
    };
    assert.deepEqual(
      {
        open: updated[0]!.bar.open,
        high: updated[0]!.bar.high,
        low: updated[0]!.bar.low,
        close: updated[0]!.bar.close,
        volume: updated[0]!.bar.volume,
        tradeCount: updated[0]!.bar.tradeCount,
        vwap: updated[0]!.bar.vwap,
      },
      merged,
    );
    const [stored] = await storedBars("TSLA");
    assert.equal(stored?.tradeCount, 4);
    assert.equal(stored?.close, 22);
    assert.equal(
      (await queryBars(database, "TSLA", Date.UTC(2026, 0, 5, 14, 50), Date.UTC(2026, 0, 5, 14, 51))).length,
      0,
    );
  });

  test("close() writes the minute still open", async () => {
    aggregator.onTrade(trade("AMD", "2026-01-05T15:00:30Z", 150, 3));
    await aggregator.close();
    const [bar] = await storedBars("AMD");
    assert.deepEqual([bar?.tradeCount, bar?.volume], [1, 3]);
    assert.equal(clock.pendingTimers(), 0);
  });
});
