import assert from "node:assert/strict";
import { test } from "node:test";
import type { Quote } from "@torghut/contracts";
import { feedFor, last, manualFrames, summary } from "@/test-support/watch-store-harness";
import { wireTrade } from "@/test-support/wire-trade";
import { changeOf, FLASH_RESTART_MS, spreadOf, WatchStore } from "./watch-store";

test("many ticks in one frame: one render, the latest price, one flash in its direction", () => {
  const { store, wire, frames, runFrame } = manualFrames();
  let renders = 0;
  store.subscribe(() => renders++);
  store.applySummaries([summary({ last: last(202, "2026-12-02T15:00:00.000Z") })]);
  assert.equal(renders, 1);
  // Twenty ticks in two of the feed's batches before the frame.
  for (let i = 1; i <= 20; i++) {
    wire.trade(wireTrade(202 + i / 10, `2026-12-02T15:00:${String(i).padStart(2, "0")}.000Z`));
    if (i === 10) wire.deliver();
  }
  wire.deliver();
  assert.equal(frames.length, 1, "one frame requested for twenty ticks");
  assert.equal(store.row("AAPL").price, 202, "nothing applied before the frame");
  runFrame();
  assert.equal(renders, 2);
  const row = store.row("AAPL");
  assert.equal(row.price, 204);
  assert.equal(row.flash?.direction, "up");
  assert.equal(row.high, 205, "inside the day's range: unchanged");
  wire.trade(wireTrade(198, "2026-12-02T15:01:00.000Z"));
  runFrame();
  assert.equal(store.row("AAPL").flash?.direction, "down");
  assert.equal(store.row("AAPL").low, 198, "a new low extends the range");
  assert.deepEqual(changeOf(store.row("AAPL")), { change: -2, percent: -1 });
});

test("an older answer never replaces a newer price; Yahoo's delayed price is marked", () => {
  const { store, wire, runFrame } = manualFrames();
  wire.trade(wireTrade(210, "2026-12-02T15:05:00.000Z"));
  runFrame();
  store.applySummaries([summary({ last: last(205, "2026-12-02T15:04:00.000Z") })]);
  assert.equal(store.row("AAPL").price, 210);
  assert.equal(store.row("AAPL").previousClose, 200, "the day's figures still arrive");
  wire.trade(wireTrade(211, "2026-12-02T15:06:00.000Z", { source: "yahoo", delayed: true }));
  runFrame();
  assert.equal(store.row("AAPL").source, "yahoo");
  assert.equal(store.row("AAPL").delayed, true);
});

test("order book: bid, ask, sizes and the spread; no previous close → no change", () => {
  const { store, wire, runFrame } = manualFrames();
  const quote: Quote = {
    kind: "quote",
    symbol: "AAPL",
    eventTime: "2026-12-02T15:00:00.000Z",
    receivedAt: 0,
    source: "alpaca",
    delayed: false,
    bidPrice: 201.1,
    bidSize: 3,
    askPrice: 201.25,
    askSize: 7,
    bidExchange: null,
    askExchange: null,
    conditions: [],
    tape: null,
  };
  wire.quote(quote);
  runFrame();
  const row = store.row("AAPL");
  assert.deepEqual([row.bid, row.bidSize, row.ask, row.askSize], [201.1, 3, 201.25, 7]);
  assert.ok(Math.abs(spreadOf(row)! - 0.15) < 1e-9);
  assert.equal(changeOf(row), null);
  // A crossed book is no spread at all, not a negative one.
  wire.quote({ ...quote, askPrice: 201 });
  runFrame();
  assert.equal(spreadOf(store.row("AAPL")), null);
});

test("records off the wire: the symbol's latest per frame is validated and applied, invalid ones never", () => {
  const { store, wire, runFrame } = manualFrames();
  for (let i = 1; i <= 5; i++) wire.trade(wireTrade(200 + i, `2026-12-02T15:00:0${i}.000Z`));
  wire.deliver();
  assert.equal(store.stats.trades, 5, "every message counted");
  assert.equal(store.row("AAPL").price, null, "nothing applied before the frame");
  runFrame();
  assert.equal(store.row("AAPL").price, 205);
  assert.equal(store.row("AAPL").size, 10);

  wire.trade(wireTrade(300, "2026-12-02T15:01:00.000Z", { price: "300" }));
  wire.trade({ symbol: "AAPL" });
  wire.trade(null);
  runFrame();
  assert.equal(store.row("AAPL").price, 205, "a record that fails the contract is dropped");

  wire.trade(wireTrade(150, "2026-12-02T15:02:00.000Z", { suspicious: true }));
  runFrame();
  assert.equal(store.row("AAPL").price, 205, "a suspicious trade stays out of the live price");

  wire.quote({ ...wireTrade(0, "2026-12-02T15:02:00.000Z"), kind: "quote" });
  runFrame();
  assert.equal(store.row("AAPL").bid, null, "a trade is not a quote");
  wire.quote({
    kind: "quote",
    symbol: "AAPL",
    eventTime: "2026-12-02T15:02:00.000Z",
    receivedAt: 0,
    source: "alpaca",
    delayed: false,
    bidPrice: 204.9,
    bidSize: 2,
    askPrice: 205.1,
    askSize: 4,
    bidExchange: "V",
    askExchange: "V",
    conditions: ["R"],
    tape: "C",
  });
  runFrame();
  assert.deepEqual([store.row("AAPL").bid, store.row("AAPL").ask], [204.9, 205.1]);
});

test("the flash restarts on a change of direction at once, in the same direction only after a pause", () => {
  const frames: (() => void)[] = [];
  let clock = 1_000;
  const store = new WatchStore(
    (flush) => frames.push(flush),
    () => clock,
  );
  const wire = feedFor(store);
  const move = (price: number, second: number, ms: number) => {
    clock += ms;
    wire.trade(wireTrade(price, `2026-12-02T15:00:${String(second).padStart(2, "0")}.000Z`));
    wire.deliver();
    frames.splice(0).forEach((f) => f());
    return store.row("AAPL").flash;
  };
  move(100, 0, 0);
  const first = move(101, 1, 50);
  assert.equal(first?.direction, "up");
  assert.equal(move(102, 2, 50), first, "up again 50 ms later: the same flash keeps running");
  assert.equal(move(103, 3, FLASH_RESTART_MS - 100), first, "still inside the pause");
  const later = move(104, 4, 100);
  assert.notEqual(later?.seq, first?.seq, "up again after the pause: restarted");
  const down = move(103.5, 5, 10);
  assert.equal(down?.direction, "down", "a change of direction restarts at once");
  assert.notEqual(down?.seq, later?.seq);
  assert.equal(move(103.5, 6, 10), down, "no move, no new flash");
});

test("trades coalesced in one frame: the newest price shows, the day's range sees every one", () => {
  const { store, wire, runFrame } = manualFrames();
  store.applySummaries([summary({ last: last(202, "2026-12-02T15:00:00.000Z") })]);
  wire.trade(wireTrade(210, "2026-12-02T15:00:01.000Z"));
  wire.trade(wireTrade(195, "2026-12-02T15:00:02.000Z"));
  wire.trade(wireTrade(203, "2026-12-02T15:00:03.000Z"));
  runFrame();
  const row = store.row("AAPL");
  assert.equal(row.price, 203, "the newest trade's price");
  assert.deepEqual([row.low, row.high], [195, 210], "a spike and a dip superseded within the frame");

  // Extremes that are not valid trades never widen it.
  wire.trade(wireTrade(250, "2026-12-02T15:00:04.000Z", { suspicious: true }));
  wire.trade(wireTrade(260, "2026-12-02T15:00:05.000Z", { tradeId: 260 }));
  wire.trade(wireTrade(204, "2026-12-02T15:00:07.000Z"));
  runFrame();
  assert.equal(store.row("AAPL").price, 204);
  assert.deepEqual([store.row("AAPL").low, store.row("AAPL").high], [195, 210]);

  // An older trade does not replace the price, but it did trade: it still counts for the range.
  wire.trade(wireTrade(211, "2026-12-02T14:59:00.000Z"));
  runFrame();
  assert.equal(store.row("AAPL").price, 204);
  assert.equal(store.row("AAPL").high, 211);
});

test("a frame applies what its budget allows; later frames finish, each symbol at its newest values", () => {
  const frames: (() => void)[] = [];
  let clock = 0;
  // Every clock read is a millisecond later: a budget of 10 ms lets a frame apply about ten symbols.
  const store = new WatchStore(
    (flush) => frames.push(flush),
    () => clock++,
    10,
  );
  const wire = feedFor(store);
  let renders = 0;
  store.subscribe(() => renders++);
  const symbols = Array.from({ length: 50 }, (_, i) => `S${i}`);
  const quote = (symbol: string, bid: number) => ({
    kind: "quote",
    symbol,
    eventTime: "2026-12-02T15:00:00.000Z",
    receivedAt: 0,
    source: "alpaca",
    delayed: false,
    bidPrice: bid,
    bidSize: 1,
    askPrice: bid + 0.1,
    askSize: 1,
    bidExchange: null,
    askExchange: null,
    conditions: [],
    tape: null,
  });
  for (const symbol of symbols) wire.trade(wireTrade(100, "2026-12-02T15:00:00.000Z", { symbol }));
  wire.deliver();
  frames.splice(0).forEach((f) => f());
  const applied = symbols.filter((s) => store.row(s).price === 100).length;
  assert.ok(applied > 0 && applied < symbols.length, `one frame applied ${applied} of ${symbols.length}`);
  assert.equal(frames.length, 1, "the rest asks for the next frame");
  assert.equal(renders, 1, "what the frame applied is shown at once");

  // Newer records arrive before the rest is applied: they replace what was held, oldest symbol first.
  for (const symbol of symbols) {
    wire.trade(wireTrade(101, "2026-12-02T15:00:01.000Z", { symbol }));
    wire.quote(quote(symbol, 100.9));
  }
  wire.deliver();
  for (let i = 0; i < 100 && frames.length > 0; i++) frames.splice(0).forEach((f) => f());
  assert.equal(frames.length, 0, "done: no frame asked for");
  for (const symbol of symbols) {
    const row = store.row(symbol);
    assert.deepEqual([row.price, row.bid], [101, 100.9], `${symbol} shows its newest trade and quote`);
  }
});

test("batches that wait for one frame: the newest valid trade and quote win, the range is of both", () => {
  const { store, wire, frames } = manualFrames();
  store.applySummaries([summary({ last: last(202, "2026-12-02T15:00:00.000Z") })]);
  wire.trade(wireTrade(212, "2026-12-02T15:00:01.000Z"));
  wire.trade(wireTrade(203, "2026-12-02T15:00:02.000Z"));
  wire.deliver();
  // The next batch's newest trade fails the contract: the frame still shows the last valid one.
  wire.trade(wireTrade(196, "2026-12-02T15:00:03.000Z"));
  wire.trade(wireTrade(204, "2026-12-02T15:00:04.000Z", { price: "204" }));
  wire.deliver();
  frames.splice(0).forEach((f) => f());
  const row = store.row("AAPL");
  assert.equal(row.price, 203, "the newest valid trade");
  assert.deepEqual([row.low, row.high], [196, 212], "both batches' extremes");
  assert.equal(frames.length, 0);
});
