import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ManualClock } from "../clock";
import { makeTrade } from "../../test/support/make-trade";
import { InProcessBus } from "./in-process-bus";
import type { BusDelivery } from "./messages";
import { BusDecodeError, decodeDelivery, encodeDelivery } from "./messages";

describe("InProcessBus", () => {
  test("every subscriber receives every message, in order, stamped with the sender and its clock", async () => {
    const clock = new ManualClock();
    const bus = new InProcessBus({ replicaId: "replica-a", clock });
    await bus.connect();
    const first: BusDelivery[] = [];
    const second: BusDelivery[] = [];
    bus.subscribe((d) => first.push(d));
    bus.subscribe((d) => second.push(d));
    for (let i = 1; i <= 5; i++) {
      bus.publish({ type: "trade", trade: makeTrade({ tradeId: String(i) }) });
      clock.advance(10);
    }
    const ids = (ds: BusDelivery[]) =>
      ds.map((d) => (d.message.type === "trade" ? d.message.trade.tradeId : "?"));
    assert.deepEqual(ids(first), ["1", "2", "3", "4", "5"]);
    assert.deepEqual(ids(second), ids(first));
    assert.equal(first[0]!.from, "replica-a");
    assert.equal(first[4]!.sentAt - first[0]!.sentAt, 40);
    assert.equal(bus.health().published, 5);
    assert.equal(bus.health().received, 10);
  });

  test("a failing subscriber neither starves the others nor throws into the publisher", () => {
    const bus = new InProcessBus({ replicaId: "r" });
    const seen: string[] = [];
    bus.subscribe(() => {
      throw new Error("broken consumer");
    });
    bus.subscribe((d) => seen.push(d.message.type));
    assert.doesNotThrow(() => bus.publish({ type: "quote", quote: quote() }));
    assert.deepEqual(seen, ["quote"]);
    assert.equal(bus.health().dropped, 1);
    assert.equal(bus.health().lastError, "broken consumer");
  });

  test("a typed subscriber gets the payload itself (a hub method subscribes with no relay)", () => {
    const bus = new InProcessBus({ replicaId: "r" });
    const order: string[] = [];
    bus.subscribe((d) => order.push(`delivery:${d.message.type}`));
    const trades: string[] = [];
    const off = bus.on("trade", (trade) => trades.push(trade.tradeId));
    bus.on("trade", () => {
      throw new Error("broken hub");
    });
    bus.on("quote", (q) => order.push(`quote:${q.symbol}`));
    bus.on("leader", (leader) => order.push(`leader:${leader.replicaId}`));
    bus.publish({ type: "trade", trade: makeTrade({ tradeId: "7" }) });
    bus.publish({ type: "quote", quote: quote() });
    bus.publish({ type: "leader", replicaId: "r", since: 0, status: null });
    off();
    bus.publish({ type: "trade", trade: makeTrade({ tradeId: "8" }) });
    assert.deepEqual(trades, ["7"]);
    assert.deepEqual(order, [
      "delivery:trade",
      "delivery:quote",
      "quote:AAPL",
      "delivery:leader",
      "leader:r",
      "delivery:trade",
    ]);
    assert.equal(bus.health().dropped, 2, "the throwing subscriber, once per trade");
    assert.equal(bus.health().lastError, "broken hub");
  });

  test("unsubscribe and close stop delivery", async () => {
    const bus = new InProcessBus({ replicaId: "r" });
    const seen: string[] = [];
    const off = bus.subscribe((d) => seen.push(d.message.type));
    bus.publish({ type: "trade", trade: makeTrade() });
    off();
    bus.publish({ type: "trade", trade: makeTrade() });
    assert.deepEqual(seen, ["trade"]);
    bus.subscribe((d) => seen.push(d.message.type));
    await bus.close();
    bus.publish({ type: "trade", trade: makeTrade() });
    assert.deepEqual(seen, ["trade"]);
    assert.equal(bus.health().connected, false);
  });
});

describe("bus wire format", () => {
  test("a delivery survives encode → decode unchanged", () => {
    const delivery: BusDelivery = {
      from: "replica-a",
      sentAt: 1_767_625_200_123,
      message: { type: "leader", replicaId: "replica-a", since: 1, status: null },
    };
    assert.deepEqual(decodeDelivery(encodeDelivery(delivery)), delivery);
    const trade: BusDelivery = {
      from: "x",
      sentAt: 2,
      message: { type: "trade", trade: makeTrade({ price: 231.42 }) },
    };
    assert.deepEqual(decodeDelivery(encodeDelivery(trade)), trade);
  });

  test("junk, another wire version and unknown message types are refused with a named error", () => {
    const bytes = (v: unknown) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v));
    assert.throws(() => decodeDelivery(bytes("not json{")), BusDecodeError);
    assert.throws(
      () => decodeDelivery(bytes({ v: 2, from: "x", sentAt: 1, message: { type: "trade" } })),
      BusDecodeError,
    );
    assert.throws(
      () => decodeDelivery(bytes({ v: 1, from: "x", sentAt: 1, message: { type: "order" } })),
      BusDecodeError,
    );
    assert.throws(
      () => decodeDelivery(bytes({ v: 1, sentAt: 1, message: { type: "trade" } })),
      BusDecodeError,
    );
  });
});

function quote() {
  return {
    kind: "quote" as const,
    symbol: "AAPL",
    eventTime: "2026-01-05T15:00:00.000000000Z",
    receivedAt: 1_767_625_200_000,
    source: "alpaca" as const,
    delayed: false,
    bidPrice: 1,
    bidSize: 1,
    askPrice: 2,
    askSize: 1,
    bidExchange: null,
    askExchange: null,
    conditions: [],
    tape: null,
  };
}
