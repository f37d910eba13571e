import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, describe, test } from "node:test";
import { connect } from "nats";
import { eventually } from "@torghut/testing";
import { makeTrade } from "../../test/support/make-trade";
import type { BusDelivery } from "./messages";
import { BusConnectError } from "./market-bus";
import { NatsBus } from "./nats-bus";

// The real nats-server (CI's .ci/run starts it when port 4222 is closed).
const NATS_URL = "nats://127.0.0.1:4222";
const uniquePrefix = () => `torghut-test.${process.pid}-${randomBytes(4).toString("hex")}`;

describe("NatsBus against the real nats-server", () => {
  const open: NatsBus[] = [];
  const bus = async (replicaId: string, subjectPrefix: string) => {
    const b = new NatsBus({ url: NATS_URL, subjectPrefix, replicaId });
    await b.connect();
    open.push(b);
    return b;
  };
  after(async () => {
    await Promise.all(open.map((b) => b.close()));
  });

  test("a broadcast: every replica receives every message, in publish order (no queue group)", async () => {
    const prefix = uniquePrefix();
    const leader = await bus("leader", prefix);
    const replicas = [await bus("replica-1", prefix), await bus("replica-2", prefix)];
    const received = replicas.map(() => [] as BusDelivery[]);
    replicas.forEach((r, i) => r.subscribe((d) => received[i]!.push(d)));
    const count = 500;
    for (let i = 1; i <= count; i++) {
      leader.publish({
        type: "trade",
        trade: makeTrade({ tradeId: String(i), symbol: i % 2 === 0 ? "AAPL" : "MSFT" }),
      });
    }
    leader.publish({ type: "leader", replicaId: "leader", since: 1, status: null });
    await eventually(
      () => received.every((r) => r.length === count + 1),
      "every message on both replicas",
      15_000,
    );
    for (const list of received) {
      const ids = list.flatMap((d) => (d.message.type === "trade" ? [Number(d.message.trade.tradeId)] : []));
      assert.deepEqual(
        ids,
        Array.from({ length: count }, (_, i) => i + 1),
      );
      assert.equal(list.at(-1)!.message.type, "leader");
      assert.ok(list.every((d) => d.from === "leader"));
    }
    assert.equal(leader.health().published, count + 1);
    assert.equal(replicas[0]!.health().received, count + 1);
    assert.equal(replicas[0]!.health().connected, true);
  });

  test("deployments with different subject prefixes never see each other's messages", async () => {
    const mine = uniquePrefix();
    const theirs = uniquePrefix();
    const publisher = await bus("a", mine);
    const ownReader = await bus("b", mine);
    const stranger = await bus("c", theirs);
    const own: BusDelivery[] = [];
    const foreign: BusDelivery[] = [];
    ownReader.subscribe((d) => own.push(d));
    stranger.subscribe((d) => foreign.push(d));
    for (let i = 0; i < 50; i++)
      publisher.publish({ type: "trade", trade: makeTrade({ tradeId: String(i) }) });
    await eventually(() => own.length === 50, "own messages");
    // Routed after the 50 above: once the stranger has its own sentinel, anything crossing would be there.
    stranger.publish({ type: "leader", replicaId: "c", since: 1, status: null });
    await eventually(() => foreign.length > 0, "sentinel");
    assert.deepEqual(
      foreign.map((d) => d.from),
      ["c"],
    );
  });

  test("an undecodable message is dropped and counted; the next one is delivered", async () => {
    const prefix = uniquePrefix();
    const reader = await bus("reader", prefix);
    const publisher = await bus("publisher", prefix);
    const got: BusDelivery[] = [];
    reader.subscribe((d) => got.push(d));
    const raw = await connect({ servers: NATS_URL });
    try {
      raw.publish(`${prefix}.md.trade`, Buffer.from("{not json"));
      raw.publish(
        `${prefix}.md.trade`,
        Buffer.from(JSON.stringify({ v: 99, from: "x", sentAt: 1, message: { type: "trade" } })),
      );
      await raw.flush();
    } finally {
      await raw.close();
    }
    await eventually(() => reader.health().dropped === 2, "two drops");
    publisher.publish({ type: "trade", trade: makeTrade({ tradeId: "after" }) });
    await eventually(() => got.length === 1, "the valid message");
    assert.equal(got[0]!.message.type === "trade" && got[0]!.message.trade.tradeId, "after");
  });

  test("an unreachable server fails fast with a retryable BusConnectError", async () => {
    const b = new NatsBus({ url: "nats://127.0.0.1:1", subjectPrefix: "torghut", replicaId: "x" });
    await assert.rejects(
      b.connect(),
      (error: unknown) => error instanceof BusConnectError && error.retryable,
    );
  });

  test("a subject prefix with wildcards or spaces is refused", () => {
    assert.throws(
      () => new NatsBus({ url: NATS_URL, subjectPrefix: "torghut.>", replicaId: "x" }),
      BusConnectError,
    );
    assert.throws(
      () => new NatsBus({ url: NATS_URL, subjectPrefix: "a b", replicaId: "x" }),
      BusConnectError,
    );
  });
});
