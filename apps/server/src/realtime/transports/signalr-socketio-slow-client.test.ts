import assert from "node:assert/strict";
import { setImmediate as tick } from "node:timers/promises";
import { test } from "node:test";
import { pino } from "pino";
import type { ServerMessage } from "../../../test/support/realtime";
import { eventually } from "@torghut/testing";
import { token, trade } from "../../../test/support/realtime";
import {
  SignalrTestClient,
  SocketIoTestClient,
  startTransportsServer,
} from "../../../test/support/signalr-socketio";

test("a SignalR and a Socket.IO client that stop reading are conflated and closed, while fast ones get everything", async (t) => {
  const logLines: string[] = [];
  const logger = pino({ level: "warn" }, { write: (line: string) => logLines.push(line) });
  const rt = await startTransportsServer({
    updatesPerSecond: 0,
    clientBuffer: 16,
    maxConflationsBehind: 2,
    logger,
  });
  const fastSignalr = await SignalrTestClient.connect(rt.base, await token("fast-signalr"));
  const slowSignalr = await SignalrTestClient.connect(rt.base, await token("slow-signalr"));
  const fastSocketIo = await SocketIoTestClient.connect(rt.base, await token("fast-socketio"));
  const slowSocketIo = await SocketIoTestClient.connect(rt.base, await token("slow-socketio"));
  t.after(async () => {
    for (const client of [fastSignalr, slowSignalr]) await client.connection.stop();
    for (const client of [fastSocketIo, slowSocketIo]) client.socket.close();
    await rt.close();
  });
  for (const client of [fastSignalr, slowSignalr]) await client.connection.invoke("Subscribe", ["lines:*"]);
  for (const client of [fastSocketIo, slowSocketIo]) await client.emit("subscribe", ["lines:*"]);
  // Stop reading: the kernel buffers fill, then the server's socket (and engine.io) buffers, then the hub queue.
  slowSignalr.rawSocket().pause();
  slowSocketIo.rawSocket().pause();

  const symbols = ["AAPL", "MSFT", "NVDA", "AMZN"];
  const padding = "x".repeat(16 * 1024);
  let published = 0;
  const deadline = Date.now() + 60_000;
  while (rt.hub.stats().slowClientsClosed < 2) {
    assert.ok(Date.now() < deadline, `slow clients closed: ${rt.hub.stats().slowClientsClosed} of 2`);
    for (let i = 0; i < 32; i++) {
      rt.hub.publishTrade(trade(symbols[published % symbols.length]!, published, { padding }));
      published += 1;
    }
    await tick();
  }

  assert.ok(rt.hub.stats().conflatedMessages > 0, "conflated before closing");
  const noGaps = (ticks: ServerMessage[], who: string): void => {
    assert.equal(ticks.length, published, `${who} received every tick`);
    for (const symbol of symbols) {
      const offsets = ticks.filter((m) => m.channel === `lines:${symbol}`).map((m) => m.offset!);
      assert.deepEqual(
        offsets,
        offsets.map((_, i) => i + 1),
        `${who}: no gaps on lines:${symbol}`,
      );
    }
  };
  await eventually(
    () => fastSignalr.of("tick").length === published,
    `fast SignalR client to receive all ${published}`,
    30_000,
  );
  await eventually(
    () => fastSocketIo.of("tick").length === published,
    `fast Socket.IO client to receive all ${published}`,
    30_000,
  );
  noGaps(fastSignalr.of("tick"), "SignalR");
  noGaps(fastSocketIo.of("tick"), "Socket.IO");

  slowSignalr.rawSocket().resume();
  slowSocketIo.rawSocket().resume();
  await eventually(() => slowSignalr.closedWith !== null, "the slow SignalR client to be closed", 40_000);
  assert.match(
    String(slowSignalr.closedWith),
    /policy violation \(1008\)/,
    "SignalR Close message carries the reason",
  );
  assert.deepEqual(slowSignalr.of("close")[0], { type: "close", code: 1008, reason: "policy violation" });
  await eventually(
    () => slowSocketIo.disconnectReason ?? undefined,
    "the slow Socket.IO client to be disconnected",
    40_000,
  );
  assert.equal(slowSocketIo.disconnectReason, "transport close", "socket.io-client will reconnect by itself");
  assert.ok(
    slowSignalr.of("tick").length < published && slowSocketIo.of("tick").length < published,
    "slow clients missed ticks",
  );

  const closes = logLines.filter(
    (line) => line.includes("[ws-realtime]") && line.includes("policy violation"),
  );
  assert.deepEqual(closes.map((line) => (JSON.parse(line) as { transport: string }).transport).sort(), [
    "signalr",
    "socketio",
  ]);
  assert.ok(!logLines.some((line) => line.includes("eyJ")), "no token in logs");
  assert.equal(fastSignalr.closedWith, null);
  assert.equal(fastSocketIo.disconnectReason, null);
});
