import assert from "node:assert/strict";
import type { Socket } from "node:net";
import { setImmediate as tick } from "node:timers/promises";
import { test } from "node:test";
import { pino } from "pino";
import { eventually } from "@torghut/testing";
import { startRealtimeServer, TestClient, token, trade } from "../../../test/support/realtime";

/**
 * Publishes `perTurn` padded trades a turn until the hub closes the slow client. 32 a turn are
 * bursts (queued, one write per client per turn); 1 a turn is what the direct write handles.
 */
async function slowClientScenario(perTurn: number): Promise<void> {
  const logLines: string[] = [];
  const logger = pino({ level: "warn" }, { write: (line: string) => logLines.push(line) });
  const rt = await startRealtimeServer({
    updatesPerSecond: 0,
    clientBuffer: 16,
    maxConflationsBehind: 2,
    logger,
  });
  const fast = await TestClient.connect(rt.url, { token: await token("fast") });
  const slow = await TestClient.connect(rt.url, { token: await token("slow") });
  await fast.subscribe(["lines:*"]);
  await slow.subscribe(["lines:*"]);
  // Stop reading: the kernel buffers fill, then the server's socket buffer, then the hub queue.
  (slow.ws as unknown as { _socket: Socket })._socket.pause();

  const symbols = ["AAPL", "MSFT", "NVDA", "AMZN"];
  const padding = "x".repeat(16 * 1024);
  let published = 0;
  const deadline = Date.now() + 60_000;
  while (rt.hub.stats().slowClientsClosed === 0) {
    assert.ok(Date.now() < deadline, "the slow client was never closed");
    for (let i = 0; i < perTurn; i++) {
      rt.hub.publishTrade(trade(symbols[published % symbols.length]!, published, { padding }));
      published += 1;
    }
    await tick();
  }

  const stats = rt.hub.stats();
  assert.ok(stats.conflatedMessages > 0, "conflated before closing");
  assert.equal(stats.TotalConnections >= 1, true);
  await eventually(
    () => fast.of("tick").length === published,
    `fast client to receive all ${published}`,
    30_000,
  );
  for (const symbol of symbols) {
    const offsets = fast.of("tick", `lines:${symbol}`).map((m) => m.offset!);
    assert.deepEqual(
      offsets,
      offsets.map((_, i) => i + 1),
      `no gaps on lines:${symbol}`,
    );
  }
  (slow.ws as unknown as { _socket: Socket })._socket.resume();
  assert.equal(await slow.closed(), 1008);
  assert.equal(slow.closeReason, "policy violation");
  assert.ok(slow.of("tick").length < published, "the slow client missed conflated ticks");
  assert.ok(logLines.some((line) => line.includes("[ws-realtime]") && line.includes("policy violation")));
  assert.ok(!logLines.some((line) => line.includes("eyJ")), "no token in logs");
  fast.close();
  await rt.close();
}

test("a client that stops reading is conflated, then closed with 1008, while a fast client gets everything", () =>
  slowClientScenario(32));

test("the same with one publication a turn, which is written straight to clients with nothing queued", () =>
  slowClientScenario(1));
