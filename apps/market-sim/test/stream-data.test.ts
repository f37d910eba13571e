import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { DEFAULT_SYMBOLS, rfc3339ToNanos } from "@torghut/contracts";
import type { RunningSimulator } from "../src/index";
import type { Msg } from "./helpers";
import { drained, eventually, isError, startManual, StreamClient } from "./helpers";

const NANOS_RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/;
const MINUTE_RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00Z$/;

describe("Alpaca stream: subscriptions", () => {
  let sim: RunningSimulator;
  before(async () => (sim = await startManual()));
  after(() => sim.close());

  test("subscribe adds, unsubscribe removes, every reply is the full set", async () => {
    const client = await StreamClient.open(sim);
    await client.authenticate();
    const first = await client.request({
      action: "subscribe",
      trades: ["AAPL"],
      quotes: ["AMD", "MSFT"],
      bars: ["*"],
    });
    assert.deepEqual(first, {
      T: "subscription",
      trades: ["AAPL"],
      quotes: ["AMD", "MSFT"],
      bars: ["*"],
      updatedBars: [],
      dailyBars: [],
      statuses: [],
      lulds: [],
      corrections: ["AAPL"],
      cancelErrors: ["AAPL"],
    });
    const second = await client.request({ action: "subscribe", trades: ["TSLA"] });
    assert.deepEqual(second.trades, ["AAPL", "TSLA"]);
    assert.deepEqual(second.quotes, ["AMD", "MSFT"], "earlier subscriptions are kept");
    const third = await client.request({ action: "unsubscribe", quotes: ["AMD"], bars: ["*"] });
    assert.deepEqual([third.trades, third.quotes, third.bars], [["AAPL", "TSLA"], ["MSFT"], []]);
    client.close();
    await client.closed();
  });

  test("405 over 30 symbols on iex keeps the earlier subscriptions", async () => {
    const client = await StreamClient.open(sim);
    await client.authenticate();
    const thirty = DEFAULT_SYMBOLS.map((s) => s.symbol);
    const ok = await client.request({
      action: "subscribe",
      trades: thirty.slice(0, 20),
      quotes: thirty.slice(10),
      bars: thirty,
    });
    assert.equal((ok.bars as string[]).length, 30);
    assert.deepEqual(await client.request({ action: "subscribe", trades: ["FAKEPACA"] }), {
      T: "error",
      code: 405,
      msg: "symbol limit exceeded",
    });
    const after405 = await client.request({ action: "unsubscribe", lulds: [] });
    assert.deepEqual(after405.trades, thirty.slice(0, 20));
    assert.deepEqual((await client.request({ action: "subscribe", quotes: ["*"] })).code, 405);
    client.close();
    await client.closed();

    const sip = await StreamClient.open(sim, "sip");
    await sip.authenticate();
    const many = await sip.request({ action: "subscribe", trades: [...thirty, "FAKEPACA"] });
    assert.equal((many.trades as string[]).length, 31, "no symbol limit on sip");
    sip.close();
    await sip.closed();
  });

  test("the test stream's reply names only trades, quotes and bars (plus non-empty lists)", async () => {
    const client = await StreamClient.open(sim, "test");
    await client.authenticate();
    const reply = await client.request({ action: "subscribe", bars: ["FAKEPACA"], quotes: ["FAKEPACA"] });
    assert.deepEqual(reply, { T: "subscription", trades: [], quotes: ["FAKEPACA"], bars: ["FAKEPACA"] });
    const withStatuses = await client.request({ action: "subscribe", statuses: ["FAKEPACA"] });
    assert.deepEqual(withStatuses.statuses, ["FAKEPACA"]);
    client.close();
    await client.closed();
  });
});

describe("Alpaca stream: market data", () => {
  let sim: RunningSimulator;
  let client: StreamClient;
  before(async () => {
    sim = await startManual({ tradesPerSecond: 600, correctionsPerMinute: 120 });
    client = await StreamClient.open(sim, "sip");
    await client.authenticate();
    await client.request({
      action: "subscribe",
      trades: ["*"],
      quotes: ["AAPL"],
      bars: ["*"],
      updatedBars: ["*"],
      dailyBars: ["AAPL"],
      statuses: ["*"],
    });
    // Start on a minute mark so every bar below covers a full minute of trades we saw.
    sim.control.advance(60_000 - (sim.control.now() % 60_000));
    client.messages.length = 0;
    client.frames.length = 0;
    sim.control.advance(125_000);
    await eventually(() => client.of("u").length > 0 && client.of("b").length >= 60, "two minutes of data");
  });
  after(() => sim.close());

  test("trades and quotes carry every documented field with nanosecond RFC-3339 times", () => {
    const trade = client.of("t")[0]!;
    assert.deepEqual(Object.keys(trade).sort(), ["S", "T", "c", "i", "p", "s", "t", "x", "z"]);
    assert.equal(typeof trade.i, "number");
    assert.ok(Array.isArray(trade.c));
    assert.match(trade.t as string, NANOS_RFC3339);
    const quote = client.of("q")[0]!;
    assert.deepEqual(Object.keys(quote).sort(), [
      "S",
      "T",
      "ap",
      "as",
      "ax",
      "bp",
      "bs",
      "bx",
      "c",
      "t",
      "z",
    ]);
    assert.equal(quote.S, "AAPL", "quotes only for the subscribed symbol");
    assert.ok((quote.ap as number) > (quote.bp as number));
    assert.ok(client.of("q").every((q) => q.S === "AAPL"));
  });

  test("data comes batched, several messages per frame under load", () => {
    const sizes = client.frames.map((f) => (JSON.parse(f) as unknown[]).length);
    assert.ok(Math.max(...sizes) > 3, `largest frame had ${Math.max(...sizes)} messages`);
  });

  test("event times increase within each symbol", () => {
    const last = new Map<string, bigint>();
    for (const trade of client.of("t")) {
      const nanos = rfc3339ToNanos(trade.t as string)!;
      const previous = last.get(trade.S as string);
      if (previous !== undefined) assert.ok(nanos > previous, `${String(trade.S)} went back in time`);
      last.set(trade.S as string, nanos);
    }
  });

  test("minute bars arrive just after each minute mark and agree with the trades sent", () => {
    const bars = client.of("b");
    const bar = bars.find((b) => b.S === "AAPL")!;
    assert.deepEqual(Object.keys(bar).sort(), ["S", "T", "c", "h", "l", "n", "o", "t", "v", "vw"]);
    assert.match(bar.t as string, MINUTE_RFC3339);
    const minute = Date.parse(bar.t as string);
    const barIndex = client.messages.indexOf(bar);
    const trades = client.messages
      .slice(0, barIndex)
      .filter(
        (m) =>
          m.T === "t" &&
          m.S === "AAPL" &&
          Date.parse(m.t as string) >= minute &&
          Date.parse(m.t as string) < minute + 60_000,
      );
    const prices = trades.map((t) => t.p as number);
    assert.equal(bar.o, prices[0]);
    assert.equal(bar.c, prices[prices.length - 1]);
    assert.equal(bar.h, Math.max(...prices));
    assert.equal(bar.l, Math.min(...prices));
    assert.equal(bar.n, trades.length);
    assert.equal(
      bar.v,
      trades.reduce((sum, t) => sum + (t.s as number), 0),
    );
    const vwap = trades.reduce((sum, t) => sum + (t.p as number) * (t.s as number), 0) / bar.v;
    assert.ok(Math.abs((bar.vw as number) - vwap) < 1e-5);
    // No trade of a later minute was sent before this bar.
    assert.ok(
      client.messages
        .slice(0, barIndex)
        .every((m) => m.T !== "t" || Date.parse(m.t as string) < minute + 60_000 + 10),
    );
  });

  test("daily bars follow every minute mark for subscribed symbols", () => {
    const dailies = client.of("d");
    assert.equal(dailies.length, 2);
    assert.ok(dailies.every((d) => d.S === "AAPL" && MINUTE_RFC3339.test(d.t as string)));
    assert.ok((dailies[1]!.v as number) > (dailies[0]!.v as number));
  });

  test("corrections and cancel errors come with trades, and the corrected minute is re-sent as an updated bar", () => {
    const corrections = client.of("c");
    const cancels = client.of("x");
    assert.ok(corrections.length + cancels.length > 0);
    for (const c of corrections) {
      assert.deepEqual(Object.keys(c).sort(), [
        "S",
        "T",
        "cc",
        "ci",
        "cp",
        "cs",
        "oc",
        "oi",
        "op",
        "os",
        "t",
        "x",
        "z",
      ]);
      const original = client.of("t").find((t) => t.i === c.oi)!;
      assert.deepEqual([original.p, original.s, original.S], [c.op, c.os, c.S]);
    }
    for (const x of cancels) {
      assert.deepEqual(Object.keys(x).sort(), ["S", "T", "a", "i", "p", "s", "t", "x", "z"]);
      assert.ok(client.of("t").some((t) => t.i === x.i));
    }
    const updated = client.of("u")[0]!;
    const original: Msg = client.of("b").find((b) => b.S === updated.S && b.t === updated.t)!;
    assert.deepEqual(
      [updated.o, updated.h, updated.l, updated.c],
      [original.o, original.h, original.l, original.c],
    );
    assert.notDeepEqual([updated.v, updated.vw], [original.v, original.vw]);
    assert.match(updated.t as string, MINUTE_RFC3339);
    assert.ok(
      client.messages.indexOf(updated) > client.messages.indexOf(original),
      "sent after the original bar",
    );
  });

  test("a spike fault jumps the price by the given percent and announces a status", async () => {
    await drained(sim, client);
    const before = client.messages.length;
    const reference = client
      .of("t")
      .filter((t) => t.S === "MSFT")
      .at(-1)!.p as number;
    sim.control.setFault({
      target: "alpaca",
      fault: "spike",
      symbol: "MSFT",
      percent: 10,
      durationMs: 2_000,
    });
    sim.control.advance(1_000);
    const halted = await client.next((m) => m.T === "s" && m.S === "MSFT", "status", before);
    assert.deepEqual(Object.keys(halted).sort(), ["S", "T", "rc", "rm", "sc", "sm", "t", "z"]);
    const spiked = await eventually(() => {
      const trades = client.messages.slice(before).filter((m) => m.T === "t" && m.S === "MSFT");
      return trades.length > 0 && trades;
    }, "spiked trades");
    assert.ok(spiked.every((t) => (t.p as number) > reference * 1.08));
    sim.control.advance(1_500);
    await drained(sim, client);
    const afterEnd = client.messages.length;
    sim.control.advance(1_000);
    await eventually(
      () => client.messages.slice(afterEnd).some((m) => m.T === "t" && m.S === "MSFT"),
      "trades after the spike",
    );
    const back = client.messages.slice(afterEnd).filter((m) => m.T === "t" && m.S === "MSFT");
    assert.ok(back.every((t) => (t.p as number) < reference * 1.03));
  });

  test("errors are counted", () => {
    assert.equal(client.messages.some(isError(400)), false);
    assert.ok(sim.control.counters().messagesSent >= client.messages.length);
  });
});
