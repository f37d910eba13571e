import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { SignalrTestClient, SocketIoTestClient } from "../support/signalr-socketio";
import { TestClient } from "../support/realtime";
import { eventually } from "@torghut/testing";
import { getJson, startLiveServer, type LiveServer } from "../support/live-server";

// The composed server (Fastify + hub + all transports) fed by the real simulator: the SignalR and
// Socket.IO endpoints are wired next to /ws on PORT and the REST routes still answer.
describe("SignalR and Socket.IO on the composed server", () => {
  let live: LiveServer;
  before(async () => {
    live = await startLiveServer();
  });
  after(async () => live.close());

  test("simulator ticks reach a SignalR, a Socket.IO and a /ws client; REST still answers", async () => {
    const base = live.url;
    const signalr = await SignalrTestClient.connect(base, await live.token("ui-signalr"));
    const socketio = await SocketIoTestClient.connect(base, await live.token("ui-socketio"));
    const ws = await TestClient.connect(`${base.replace("http", "ws")}/ws`, {
      token: await live.token("ui-ws"),
    });
    await signalr.connection.invoke("Subscribe", ["lines:AAPL", "status"]);
    await socketio.emit("subscribe", ["lines:AAPL", "status"]);
    await ws.subscribe(["lines:AAPL"]);
    const [fromSignalr] = await signalr.waitFor("tick", 3, "lines:AAPL", 15_000);
    const [fromSocketIo] = await socketio.waitFor("tick", 3, "lines:AAPL", 15_000);
    await ws.waitFor("tick", 3, "lines:AAPL");
    assert.equal(fromSignalr?.data?.symbol, "AAPL");
    assert.equal(fromSocketIo?.data?.source, "alpaca");
    assert.equal((await signalr.waitFor("status"))[0]?.channel, "status");
    const health = await eventually(
      async () => {
        const { status, body } = await getJson(`${base}/api/health/realtime`);
        return status === 200 ? (body as { connectionsByTransport?: Record<string, number> }) : null;
      },
      "realtime health",
      15_000,
    );
    assert.deepEqual(health.connectionsByTransport, { signalr: 1, socketio: 1, ws: 1 });
    const negotiateWithoutToken = await fetch(`${base}/hubs/market-data/negotiate?negotiateVersion=1`, {
      method: "POST",
    });
    assert.equal(negotiateWithoutToken.status, 401);
    await signalr.connection.stop();
    socketio.socket.close();
    ws.close();
  });
});
