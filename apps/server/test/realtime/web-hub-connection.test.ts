// Contract test: the web app's own SignalR client (apps/web/src/lib/live/hub-connection.ts, which the
// watchlist uses instead of @microsoft/signalr) against the real hub and SignalR transport, over
// Node's WebSocket (the browser's API). The hub sends the records of one flush in one message.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { eventually } from "@torghut/testing";
import { HubConnection } from "../../../web/src/lib/live/hub-connection";
import { token, trade } from "../support/realtime";
import { startTransportsServer, type TransportsServer } from "../support/signalr-socketio";

type Envelope = { type: string; channel: string; data: { symbol: string; price: number } };

function open(rt: TransportsServer): { hub: HubConnection; received: Envelope[]; messages: () => number } {
  const received: Envelope[] = [];
  const hub = new HubConnection(`${rt.base}/hubs/market-data`, () => token("web"), {
    publication: (message) => received.push(message as Envelope),
    reconnecting: () => undefined,
    reconnected: () => undefined,
    closed: () => undefined,
  });
  let messages = 0;
  const counted = new WeakSet<WebSocket>();
  return {
    hub,
    received,
    // The client's private socket: counted from the first call on, for as long as it is the same.
    messages: () => {
      const socket = (hub as unknown as { socket: WebSocket }).socket;
      if (!counted.has(socket)) {
        counted.add(socket);
        socket.addEventListener("message", () => (messages += 1));
      }
      return messages;
    },
  };
}

describe("apps/web HubConnection against the real hub", () => {
  let rt: TransportsServer;
  before(async () => {
    rt = await startTransportsServer({ updatesPerSecond: 0 });
  });
  after(() => rt.close());

  test("handshake and Subscribe; every record of multi-record messages arrives, in order", async () => {
    const { hub, received, messages } = open(rt);
    await hub.start();
    const replies = (await hub.invoke("Subscribe", [["lines:*"]])) as { type: string }[];
    assert.deepEqual(
      replies.map((r) => r.type),
      ["subscribed"],
    );
    const before = messages();
    const symbols = Array.from({ length: 30 }, (_, i) => `W${String.fromCharCode(65 + (i % 26))}${i}`);
    symbols.forEach((symbol, i) => rt.hub.publishTrade(trade(symbol, i + 1)));
    await eventually(() => received.length === symbols.length, `${symbols.length} publications`);
    assert.deepEqual(
      received.map((m) => `${m.data.symbol} ${m.data.price}`),
      symbols.map((s, i) => `${s} ${i + 1}`),
    );
    assert.ok(received.every((m) => m.type === "tick" && m.channel === `lines:${m.data.symbol}`));
    const used = messages() - before;
    assert.ok(used < symbols.length, `${used} WebSocket messages carried ${symbols.length} records`);
    assert.equal(hub.connected, true, "no record was malformed or split");
    const pong = (await hub.invoke("Ping", [])) as { type: string };
    assert.equal(pong.type, "pong");
    hub.stop();
  });
});
