import assert from "node:assert/strict";
import { once } from "node:events";
import { after, before, describe, test } from "node:test";
import WebSocket from "ws";
import { eventually } from "@torghut/testing";
import { token, trade } from "../../../test/support/realtime";
import {
  SignalrTestClient,
  startTransportsServer,
  type TransportsServer,
} from "../../../test/support/signalr-socketio";

const RS = "\x1e";
const SYMBOLS = Array.from({ length: 20 }, (_, i) => `B${String.fromCharCode(65 + i)}`);

/** A SignalR client on a bare `ws` socket, keeping each WebSocket message as it arrived. */
async function rawClient(port: number): Promise<{ messages: string[]; ws: WebSocket }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/hubs/market-data?access_token=${await token("raw")}`);
  const messages: string[] = [];
  ws.on("message", (data: Buffer) => messages.push(data.toString()));
  await once(ws, "open");
  ws.send(`{"protocol":"json","version":1}${RS}`);
  ws.send(`{"type":1,"invocationId":"1","target":"Subscribe","arguments":[["lines:*"]]}${RS}`);
  await eventually(() => messages.some((m) => m.includes('"type":3')), "Subscribe completion");
  return { messages, ws };
}

/** The records of `messages` that are ticks, as `symbol price` in arrival order. */
function ticks(messages: readonly string[]): string[] {
  return messages
    .flatMap((m) => m.split(RS).slice(0, -1))
    .map((r) => JSON.parse(r) as { target?: string; arguments?: { type: string; data: Trade }[] })
    .filter((r) => r.target === "publication" && r.arguments?.[0]?.type === "tick")
    .map((r) => `${r.arguments![0]!.data.symbol} ${r.arguments![0]!.data.price}`);
}
type Trade = { symbol: string; price: number };

/** One burst: a trade on each symbol in the same turn, so all but the first wait for one flush. */
function burst(rt: TransportsServer, extra: Record<string, unknown> = {}): string[] {
  SYMBOLS.forEach((symbol, i) => rt.hub.publishTrade(trade(symbol, i + 1, extra)));
  return SYMBOLS.map((symbol, i) => `${symbol} ${i + 1}`);
}

const carryingTicks = (messages: readonly string[]) => messages.filter((m) => ticks([m]).length > 0);

describe("/hubs/market-data: the records of one flush in one WebSocket message", () => {
  let rt: TransportsServer;
  before(async () => {
    rt = await startTransportsServer({ updatesPerSecond: 0 });
  });
  after(() => rt.close());

  test("a flush's records arrive whole, in order, several to a message", async () => {
    const { messages, ws } = await rawClient(rt.port);
    const expected = burst(rt);
    await eventually(() => ticks(messages).length === expected.length, "every tick");
    assert.deepEqual(ticks(messages), expected);
    const carrying = carryingTicks(messages);
    assert.ok(carrying.length < expected.length, `${carrying.length} messages for ${expected.length} ticks`);
    assert.ok(
      carrying.some((m) => ticks([m]).length > 1),
      "a message with several records",
    );
    assert.ok(
      messages.every((m) => m.endsWith(RS)),
      "every message ends with a record separator: none split",
    );
    ws.terminate();
  });

  test("the real @microsoft/signalr client gets every record of a joined message, in order", async () => {
    const client = await SignalrTestClient.connect(rt.base, await token("real"));
    await client.connection.invoke("Subscribe", ["lines:*"]);
    const counter = client.countMessages();
    const expected = burst(rt);
    const got = await client.waitFor("tick", expected.length);
    assert.deepEqual(
      got.map((m) => `${String(m.data?.symbol)} ${String(m.data?.price)}`),
      expected,
    );
    assert.ok(counter.messages < expected.length, `${counter.messages} WebSocket messages`);
    await client.connection.stop();
  });
});

describe("/hubs/market-data: maxMessageBytes", () => {
  test("messages stay under the cap with whole records; a record over it goes alone", async () => {
    const cap = 1_500;
    const rt = await startTransportsServer({ updatesPerSecond: 0 }, { signalr: { maxMessageBytes: cap } });
    const { messages, ws } = await rawClient(rt.port);
    const expected = burst(rt);
    rt.hub.publishTrade(trade("BIG", 1, { padding: "x".repeat(2 * cap) }));
    rt.hub.publishTrade(trade("AFTER", 2));
    expected.push("BIG 1", "AFTER 2");
    await eventually(() => ticks(messages).length === expected.length, "every tick");
    assert.deepEqual(ticks(messages), expected);
    const carrying = carryingTicks(messages);
    assert.ok(carrying.length > 2, "the burst took several messages");
    for (const message of carrying) {
      assert.ok(message.endsWith(RS), "whole records only");
      const size = Buffer.byteLength(message);
      assert.ok(size <= cap || ticks([message]).length === 1, `${size} bytes in one message over the cap`);
    }
    assert.deepEqual(ticks(carrying.filter((m) => m.includes('"BIG"'))), ["BIG 1"], "alone");
    ws.terminate();
    await rt.close();
  });

  test("0 sends one message per record", async () => {
    const rt = await startTransportsServer({ updatesPerSecond: 0 }, { signalr: { maxMessageBytes: 0 } });
    const { messages, ws } = await rawClient(rt.port);
    const expected = burst(rt);
    await eventually(() => ticks(messages).length === expected.length, "every tick");
    assert.deepEqual(ticks(messages), expected);
    assert.equal(carryingTicks(messages).length, expected.length);
    ws.terminate();
    await rt.close();
  });
});

describe("/hubs/market-data: throttled updates due together leave together", () => {
  let rt: TransportsServer;
  before(async () => {
    rt = await startTransportsServer({ updatesPerSecond: 20 });
  });
  after(() => rt.close());

  test("the trailing updates of many symbols arrive in one message, not one message each", async () => {
    const { messages, ws } = await rawClient(rt.port);
    const leading = burst(rt);
    await eventually(() => ticks(messages).length === leading.length, "every leading tick");
    const before = messages.length;
    // Each symbol's next trade in a turn of its own, inside the throttle's 50 ms: each waits for its
    // symbol's trailing edge. A timer per symbol wrote each as its own WebSocket message, so a page
    // watching 500 symbols took up to 20,000 messages a second, paying the browser's cost per message.
    const trailing: string[] = [];
    for (const [i, symbol] of SYMBOLS.entries()) {
      rt.hub.publishTrade(trade(symbol, 100 + i));
      trailing.push(`${symbol} ${100 + i}`);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await eventually(
      () => ticks(messages).length === leading.length + trailing.length,
      "every trailing tick",
    );
    assert.deepEqual(ticks(messages.slice(before)).sort(), trailing.sort());
    const carrying = carryingTicks(messages.slice(before));
    assert.ok(carrying.length <= 2, `${carrying.length} messages for ${trailing.length} trailing ticks`);
    ws.terminate();
  });
});
