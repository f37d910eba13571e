import assert from "node:assert/strict";
import { test } from "node:test";
import type { BusMessage } from "../bus";
import { ManualClock } from "../clock";
import { makeTrade } from "../../test/support/make-trade";
import type { FromIngestThread, IngestSnapshot } from "./protocol";
import { ThreadPortBus } from "./thread-port-bus";

type Batch = Extract<FromIngestThread, { type: "bus" }>;

function setup(flushIntervalMs = 10) {
  const clock = new ManualClock();
  const batches: Batch[] = [];
  let snapshots = 0;
  const bus = new ThreadPortBus({
    port: { postMessage: (m) => void (m.type === "bus" && batches.push(m)) },
    replicaId: "r1",
    clock,
    snapshot: () => {
      snapshots += 1;
      return { takenAt: clock.now() } as IngestSnapshot;
    },
    flushIntervalMs,
  });
  return { clock, bus, batches, snapshots: () => snapshots };
}

const trade = (symbol: string, price: number): BusMessage => ({
  type: "trade",
  trade: makeTrade({ symbol, price }),
});
const status: BusMessage = {
  type: "status",
  status: { state: "FALLBACK_ACTIVE", activeSource: "yahoo", delayed: true, reason: "test", changedAt: 1 },
};

test("an idle bus sends the first message at once", () => {
  const { clock, bus, batches } = setup();
  bus.publish(trade("AAPL", 1));
  clock.advance(0);
  assert.equal(batches.length, 1);
  assert.deepEqual(
    batches[0]!.messages.map((m) => m.type),
    ["trade"],
  );
});

test("under load at most one batch per interval, with the newest trade per symbol", () => {
  const { clock, bus, batches } = setup(10);
  bus.publish(trade("AAPL", 1));
  clock.advance(0);
  for (let i = 2; i <= 100; i++) bus.publish(trade(i % 2 === 0 ? "AAPL" : "MSFT", i));
  clock.advance(9);
  assert.equal(batches.length, 1, "nothing before the interval has passed");
  clock.advance(1);
  assert.equal(batches.length, 2);
  const prices = new Map(
    batches[1]!.messages.map((m) => (m.type === "trade" ? [m.trade.symbol, m.trade.price] : ["", 0])),
  );
  assert.deepEqual(Object.fromEntries(prices), { AAPL: 100, MSFT: 99 });
  assert.equal(batches[1]!.conflated, 97);
  assert.equal(bus.conflated, 97);
  assert.equal(bus.health().published, 100);
});

test("bars and status cross whole and in order; a status change brings a snapshot along", () => {
  const { clock, bus, batches, snapshots } = setup();
  const bar = (close: number): BusMessage => ({
    type: "bar",
    bar: { symbol: "AAPL", close } as Extract<BusMessage, { type: "bar" }>["bar"],
  });
  bus.publish(bar(1));
  bus.publish(trade("AAPL", 5));
  bus.publish(bar(2));
  clock.advance(0);
  assert.deepEqual(
    batches[0]!.messages.map((m) => (m.type === "bar" ? `bar ${m.bar.close}` : m.type)),
    ["bar 1", "bar 2", "trade"],
  );
  assert.equal(batches[0]!.snapshot, null);
  assert.equal(snapshots(), 0);
  bus.publish(status);
  clock.advance(10);
  assert.equal(batches[1]!.messages[0]!.type, "status");
  assert.notEqual(batches[1]!.snapshot, null);
  assert.equal(snapshots(), 1);
});

test("close sends what is pending and nothing after", async () => {
  const { bus, batches } = setup();
  bus.publish(trade("AAPL", 1));
  await bus.close();
  assert.equal(batches.length, 1);
  bus.publish(trade("AAPL", 2));
  assert.equal(batches.length, 1);
  assert.equal(bus.health().connected, false);
});
