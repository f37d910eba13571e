import assert from "node:assert/strict";
import { once } from "node:events";
import { after, before, describe, test } from "node:test";
import WebSocket from "ws";
import { ManualClock } from "../../clock";
import { signToken } from "../auth";
import { eventually } from "@torghut/testing";
import { TestClient, token, trade, upgradeStatus } from "../../../test/support/realtime";
import {
  SignalrTestClient,
  SocketIoTestClient,
  startTransportsServer,
  type TransportsServer,
} from "../../../test/support/signalr-socketio";

const RS = "\x1e";

describe("/hubs/market-data negotiate and upgrade", () => {
  let rt: TransportsServer;
  before(async () => {
    rt = await startTransportsServer({}, { signalr: { allowedOrigins: ["http://localhost:3000"] } });
  });
  after(() => rt.close());

  test("negotiate answers 401 without a valid token and offers WebSockets with a connection token", async () => {
    const url = `${rt.base}/hubs/market-data/negotiate?negotiateVersion=1`;
    assert.equal((await fetch(url, { method: "POST" })).status, 401);
    const forged = await signToken({ secret: "another-secret", sub: "mallory" });
    assert.equal(
      (await fetch(url, { method: "POST", headers: { authorization: `Bearer ${forged}` } })).status,
      401,
    );
    const ok = await fetch(`${url}&access_token=${await token("alice")}`, { method: "POST" });
    assert.equal(ok.status, 200);
    const body = (await ok.json()) as Record<string, unknown>;
    assert.equal(body.negotiateVersion, 1);
    assert.equal(typeof body.connectionToken, "string");
    assert.deepEqual(body.availableTransports, [{ transport: "WebSockets", transferFormats: ["Text"] }]);
    const other = await fetch(`${rt.base}/api/anything`);
    assert.equal(await other.text(), "fallthrough", "other requests still reach the server's own handler");
  });

  test("answers the CORS preflight for listed origins only", async () => {
    const url = `${rt.base}/hubs/market-data/negotiate?negotiateVersion=1`;
    const listed = await fetch(url, { method: "OPTIONS", headers: { origin: "http://localhost:3000" } });
    assert.equal(listed.status, 204);
    assert.equal(listed.headers.get("access-control-allow-origin"), "http://localhost:3000");
    assert.match(listed.headers.get("access-control-allow-headers") ?? "", /Authorization/);
    const evil = await fetch(url, { method: "OPTIONS", headers: { origin: "http://evil.example" } });
    assert.equal(evil.status, 403);
  });

  test("refuses the upgrade without a token (401), with an unknown connection id (404) and from a foreign origin (403)", async () => {
    const url = `ws://127.0.0.1:${rt.port}/hubs/market-data`;
    assert.equal(await upgradeStatus(url), 401);
    assert.equal(await upgradeStatus(`${url}?id=never-negotiated&access_token=${await token()}`), 404);
    assert.equal(
      await upgradeStatus(`${url}?access_token=${await token()}`, { origin: "http://evil.example" }),
      403,
    );
    assert.equal(rt.hub.stats().TotalConnections, 0);
  });

  test("the real client is refused without a token and connects with one, negotiated or not", async () => {
    const anonymous = SignalrTestClient.create(rt.base, null);
    await assert.rejects(anonymous.connection.start(), /401|Unauthorized/);
    const negotiated = await SignalrTestClient.connect(rt.base, await token("alice"));
    const direct = await SignalrTestClient.connect(rt.base, await token("bob"), { skipNegotiation: true });
    assert.equal(negotiated.of("welcome")[0]?.sub, "alice");
    assert.equal(direct.of("welcome")[0]?.sub, "bob");
    assert.deepEqual(rt.hub.stats().connectionsByTransport, { signalr: 2 });
    await negotiated.connection.stop();
    await direct.connection.stop();
    await eventually(() => rt.hub.stats().TotalConnections === 0, "connections gone");
  });

  test("speaks the raw protocol: access_token query, handshake with the record separator, pings are ignored", async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${rt.port}/hubs/market-data?access_token=${await token("raw")}`);
    const frames: string[] = [];
    ws.on("message", (data: Buffer) =>
      frames.push(
        ...data
          .toString()
          .split(RS)
          .filter((r) => r.length > 0),
      ),
    );
    await once(ws, "open");
    ws.send(`{"protocol":"json","version":1}${RS}`);
    await eventually(() => frames.includes("{}"), "handshake response");
    ws.send(
      `{"type":6}${RS}{"type":1,"invocationId":"7","target":"subscribe","arguments":[["status"]]}${RS}`,
    );
    const completion = await eventually(() => frames.find((f) => f.includes('"type":3')), "completion");
    assert.deepEqual(JSON.parse(completion), {
      type: 3,
      invocationId: "7",
      result: [{ type: "subscribed", channel: "status", epoch: rt.hub.epoch, offset: 0 }],
    });
    ws.terminate();

    const wrong = new WebSocket(
      `ws://127.0.0.1:${rt.port}/hubs/market-data?access_token=${await token("raw")}`,
    );
    const replies: string[] = [];
    wrong.on("message", (data: Buffer) => replies.push(data.toString()));
    await once(wrong, "open");
    wrong.send(`{"protocol":"messagepack","version":1}${RS}`);
    const [code] = (await once(wrong, "close")) as [number];
    assert.equal(code, 1002);
    assert.ok(replies[0]?.endsWith(RS), "the handshake error ends with the record separator");
    assert.match(replies[0] ?? "", /"error":/);
  });
});

describe("/hubs/market-data channels", () => {
  let rt: TransportsServer;
  before(async () => {
    rt = await startTransportsServer({ updatesPerSecond: 0, historySize: 5 });
  });
  after(() => rt.close());

  test("Subscribe, ticks as `publication` with the /ws envelope, Unsubscribe, Ping", async () => {
    const client = await SignalrTestClient.connect(rt.base, await token());
    const replies = await client.connection.invoke<{ type: string; channel: string }[]>("Subscribe", [
      "lines:MSFT",
    ]);
    assert.deepEqual(
      replies.map((r) => [r.type, r.channel]),
      [["subscribed", "lines:MSFT"]],
    );
    rt.hub.publishTrade(trade("MSFT", 400));
    rt.hub.publishTrade(trade("NVDA", 100));
    const [tick] = await client.waitFor("tick", 1, "lines:MSFT");
    assert.deepEqual(Object.keys(tick!).sort(), [
      "channel",
      "data",
      "epoch",
      "offset",
      "publishedAt",
      "type",
    ]);
    assert.equal(tick?.data?.price, 400);
    assert.equal(tick?.epoch, rt.hub.epoch);
    const left = await client.connection.invoke<{ type: string }[]>("Unsubscribe", ["lines:MSFT"]);
    assert.equal(left[0]?.type, "unsubscribed");
    rt.hub.publishTrade(trade("MSFT", 401));
    const pong = await client.connection.invoke<{ type: string; serverTime: number }>("Ping");
    assert.equal(pong.type, "pong");
    assert.equal(client.of("tick").length, 1, "nothing after Unsubscribe");
    assert.equal(client.of("tick", "lines:NVDA").length, 0);
    await client.connection.stop();
  });

  test("the snapshot arrives before Subscribe resolves; refusals come back per channel; bad calls reject", async () => {
    rt.hub.publishTrade(trade("AMD", 150));
    rt.hub.publishTrade(trade("AMD", 151));
    const client = await SignalrTestClient.connect(rt.base, await token("viewer", { channels: ["lines:*"] }));
    const replies = await client.connection.invoke<{ type: string; code?: string }[]>("Subscribe", [
      "lines:AMD",
      "order_book:AMD",
      "bogus",
    ]);
    assert.deepEqual(
      replies.map((r) => r.code ?? r.type),
      ["subscribed", "forbidden", "bad_channel"],
    );
    assert.deepEqual(
      client.of("tick", "lines:AMD").map((m) => m.data?.price),
      [151],
      "snapshot already delivered",
    );
    assert.equal(client.of("error").length, 2, "errors also arrive as control messages");
    await assert.rejects(client.connection.invoke("Subscribe", "lines:AMD"), /bad_request/);
    await assert.rejects(client.connection.invoke("LaunchMissiles"), /Unknown hub method/);
    await client.connection.stop();
  });

  test("recovers missed publications with Subscribe's second argument", async () => {
    const first = await SignalrTestClient.connect(rt.base, await token());
    await first.connection.invoke("Subscribe", ["lines:TSLA"]);
    rt.hub.publishTrade(trade("TSLA", 1));
    const [seen] = await first.waitFor("tick", 1, "lines:TSLA");
    await first.connection.stop();
    for (let price = 2; price <= 4; price++) rt.hub.publishTrade(trade("TSLA", price));
    const back = await SignalrTestClient.connect(rt.base, await token());
    const [reply] = await back.connection.invoke<{ recovered?: boolean }[]>("Subscribe", ["lines:TSLA"], {
      "lines:TSLA": { offset: seen!.offset!, epoch: seen!.epoch! },
    });
    assert.equal(reply?.recovered, true);
    assert.deepEqual(
      back.of("tick", "lines:TSLA").map((m) => m.data?.price),
      [2, 3, 4],
    );
    await back.connection.stop();
  });

  test("/ws and /socket.io keep working beside SignalR on the same server", async () => {
    const signalr = await SignalrTestClient.connect(rt.base, await token());
    const ws = await TestClient.connect(`ws://127.0.0.1:${rt.port}/ws`, { token: await token() });
    const sio = await SocketIoTestClient.connect(rt.base, await token());
    await signalr.connection.invoke("Subscribe", ["lines:KO"]);
    await ws.subscribe(["lines:KO"]);
    await sio.emit("subscribe", ["lines:KO"]);
    rt.hub.publishTrade(trade("KO", 60));
    const [a] = await signalr.waitFor("tick", 1, "lines:KO");
    const [b] = await ws.waitFor("tick", 1, "lines:KO");
    const [c] = await sio.waitFor("tick", 1, "lines:KO");
    assert.deepEqual(a, b);
    assert.deepEqual(c, b);
    assert.deepEqual(rt.hub.stats().connectionsByTransport, { signalr: 1, ws: 1, socketio: 1 });
    await signalr.connection.stop();
    ws.close();
    sio.socket.close();
  });

  test("hub shutdown sends a Close message and the client sees why", async () => {
    const own = await startTransportsServer();
    const client = await SignalrTestClient.connect(own.base, await token());
    await own.hub.shutdown(5000);
    await eventually(() => client.closedWith !== null, "client closed");
    assert.match(String(client.closedWith), /server shutdown \(1001\)/);
    assert.deepEqual(client.of("close")[0], { type: "close", code: 1001, reason: "server shutdown" });
    await own.close();
  });

  test("closes with 4001 when the token expires unless the client called Refresh (injected clock)", async () => {
    const clock = new ManualClock(Date.now());
    const own = await startTransportsServer({ clock }, { signalr: { keepAliveIntervalMs: 0 }, socketio: {} });
    const refreshing = await SignalrTestClient.connect(own.base, await token("erin", { ttl: 60 }));
    const lapsing = await SignalrTestClient.connect(own.base, await token("frank", { ttl: 60 }));
    const refreshed = await refreshing.connection.invoke<{ type: string; exp: number }>(
      "Refresh",
      await token("erin", { ttl: 3600 }),
    );
    assert.equal(refreshed.type, "refreshed");
    const stolen = await refreshing.connection.invoke<{ type: string; code: string }>(
      "Refresh",
      await token("someone-else"),
    );
    assert.equal(stolen.code, "invalid_token");
    clock.advance(61_000);
    await eventually(() => lapsing.closedWith !== null, "the lapsed client to be closed");
    assert.match(String(lapsing.closedWith), /token expired \(4001\)/);
    assert.equal(lapsing.of("error")[0]?.code, "token_expired");
    const pong = await refreshing.connection.invoke<{ type: string }>("Ping");
    assert.equal(pong.type, "pong");
    assert.equal(refreshing.closedWith, null);
    await refreshing.connection.stop();
    await own.close();
  });
});
