import assert from "node:assert/strict";
import { test } from "node:test";
import { LatestRecords } from "./latest-records";

/** A trade as the hub sends it on `lines:*` (tradeSchema). */
const tick = (symbol: string, price: number, second: number) => ({
  channel: "lines:*",
  type: "tick",
  data: {
    kind: "trade",
    symbol,
    eventTime: `2026-12-02T15:00:${String(second).padStart(2, "0")}.000Z`,
    receivedAt: 0,
    source: "alpaca",
    delayed: false,
    price,
    size: 10,
    tradeId: `${symbol}-${second}`,
    exchange: "V",
    conditions: ["@"],
    tape: "C",
    suspicious: false,
  },
});

test("a symbol is taken at most once per interval; what waits keeps the newest price and every extreme", () => {
  const records = new LatestRecords(100);
  records.offer(tick("AAPL", 200, 1));
  const first = records.take(0);
  assert.deepEqual(
    first.symbols.map((s) => [s.symbol, s.trade?.price]),
    [["AAPL", 200]],
  );
  assert.equal(first.trades, 1);

  records.offer(tick("AAPL", 230, 2));
  records.offer(tick("AAPL", 185, 3));
  records.offer(tick("AAPL", 201, 4));
  records.offer(tick("MSFT", 400, 4));
  const early = records.take(50);
  assert.deepEqual(
    early.symbols.map((s) => s.symbol),
    ["MSFT"],
    "AAPL was taken 50 ms ago: it waits; MSFT is taken at once",
  );
  assert.equal(early.trades, 4, "every record is counted when it arrives");
  assert.equal(records.pending, true);

  const due = records.take(100);
  assert.equal(due.symbols.length, 1);
  const aapl = due.symbols[0]!;
  assert.equal(aapl.trade?.price, 201, "the newest trade");
  assert.equal(aapl.eventTimeMs, Date.parse("2026-12-02T15:00:04.000Z"));
  assert.deepEqual([aapl.low, aapl.high], [185, 230], "the trades superseded while it waited");
  assert.equal(records.pending, false);
});

test("only the shown fields cross to the page", () => {
  const records = new LatestRecords();
  records.offer(tick("AAPL", 200, 1));
  records.offer({
    channel: "order_book:*",
    type: "quote",
    data: {
      kind: "quote",
      symbol: "AAPL",
      eventTime: "2026-12-02T15:00:01.000Z",
      receivedAt: 0,
      source: "alpaca",
      delayed: false,
      bidPrice: 199.9,
      bidSize: 3,
      askPrice: 200.1,
      askSize: 4,
      bidExchange: "V",
      askExchange: "V",
      conditions: ["R"],
      tape: "C",
    },
  });
  const [aapl] = records.take().symbols;
  assert.deepEqual(aapl, {
    symbol: "AAPL",
    trade: { price: 200, size: 10, source: "alpaca", delayed: false },
    eventTimeMs: Date.parse("2026-12-02T15:00:01.000Z"),
    high: 200,
    low: 200,
    minutes: [],
    quote: { bidPrice: 199.9, bidSize: 3, askPrice: 200.1, askSize: 4 },
  });
});

/** A tick at `eventTime` whose `minuteBar` says what its minute came to (some trades held back). */
const tickOfMinute = (price: number, eventTime: string, bar: { high: number; low: number; n: number }) => {
  const t = tick("AAPL", price, 0);
  const minuteBar = {
    open: price,
    high: bar.high,
    low: bar.low,
    close: price,
    volume: 10 * bar.n,
    tradeCount: bar.n,
  };
  return { ...t, data: { ...t.data, eventTime, minuteBar } };
};

test("a tick's minute bar brings the trades the hub never sent: the range, and each minute's fullest bar", () => {
  const records = new LatestRecords();
  records.offer(tickOfMinute(200, "2026-12-02T14:59:59.000Z", { high: 205, low: 198, n: 40 }));
  records.offer(tickOfMinute(201, "2026-12-02T15:00:01.000Z", { high: 201, low: 200, n: 3 }));
  records.offer(tickOfMinute(202, "2026-12-02T15:00:02.000Z", { high: 230, low: 199, n: 9 }));
  // A replay after a reconnect: an older state of the minute does not replace the fuller one.
  records.offer(tickOfMinute(201, "2026-12-02T15:00:01.000Z", { high: 201, low: 200, n: 3 }));
  // A bar that fails the contract is not used; the trade still is.
  const broken = tickOfMinute(203, "2026-12-02T15:01:00.000Z", { high: 999, low: 1, n: 1 });
  records.offer({ ...broken, data: { ...broken.data, minuteBar: { ...broken.data.minuteBar, volume: -1 } } });
  const [aapl] = records.take().symbols;
  assert.equal(aapl!.trade?.price, 203);
  assert.deepEqual([aapl!.low, aapl!.high], [198, 230], "the spike no tick carried as its price");
  assert.deepEqual(
    aapl!.minutes.map((m) => [new Date(m.minuteMs).toISOString(), m.tradeCount, m.volume]),
    [
      ["2026-12-02T14:59:00.000Z", 40, 400],
      ["2026-12-02T15:00:00.000Z", 9, 90],
    ],
  );
});

test("symbols that fall due together are spread over the takes, the longest-waiting first, none starved", () => {
  const everyMs = 100;
  const takesEveryMs = 16;
  const records = new LatestRecords(everyMs, takesEveryMs);
  const symbols = Array.from({ length: 500 }, (_, i) => `S${i}`);
  const takes: string[][] = [];
  for (let now = 0, second = 0; now < 2_000; now += takesEveryMs, second = (second + 1) % 60) {
    // Every symbol trades between two takes (500 symbols at about 60 trades a second each).
    for (const symbol of symbols) records.offer(tick(symbol, 100 + second, second));
    takes.push(records.take(now).symbols.map((s) => s.symbol));
  }
  const share = Math.ceil(((500 * takesEveryMs) / everyMs) * 1.5);
  assert.deepEqual(takes[0], symbols.slice(0, share), "the first take: its share, in arrival order");
  assert.deepEqual(takes[1], symbols.slice(share, 2 * share), "the next: the ones held back");
  assert.ok(Math.max(...takes.map((t) => t.length)) <= share, "no take hands over all 500 at once");
  const timesTaken = new Map<string, number>();
  for (const symbol of takes.flat()) timesTaken.set(symbol, (timesTaken.get(symbol) ?? 0) + 1);
  // 2 s at most once per 100 ms: up to 20 takes each; held back a little, never starved.
  const counts = symbols.map((s) => timesTaken.get(s) ?? 0);
  assert.ok(
    Math.min(...counts) >= 15 && Math.max(...counts) <= 20,
    `taken ${Math.min(...counts)}–${Math.max(...counts)} times`,
  );
});

test("a short watchlist is never paced: every due symbol in one take", () => {
  const records = new LatestRecords(100, 16);
  for (let i = 0; i < 40; i++) records.offer(tick(`S${i}`, 100, 1));
  assert.equal(records.take(0).symbols.length, 40);
});
