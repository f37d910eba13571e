import assert from "node:assert/strict";
import { once } from "node:events";
import { after, before, describe, test } from "node:test";
import { WebSocketServer } from "ws";
import WebSocket from "ws";
import { ManualClock } from "../../clock";
import { signToken } from "../auth";
import { eventually } from "@torghut/testing";
import {
  startRealtimeServer,
  TestClient,
  token,
  trade,
  upgradeStatus,
  type RealtimeServer,
} from "../../../test/support/realtime";

describe("/ws authentication", () => {
  let rt: RealtimeServer;
  before(async () => {
    rt = await startRealtimeServer({}, { allowedOrigins: ["http://localhost:3000"] });
  });
  after(() => rt.close());

  test("accepts a valid token from the Authorization header and from ?token=", async () => {
    const good = await token("alice", {});
    const byHeader = await TestClient.connect(rt.url, { token: good });
    const byQuery = await TestClient.connect(`${rt.url}?token=${encodeURIComponent(good)}`);
    assert.equal(byHeader.of("welcome")[0]?.sub, "alice");
    assert.equal(byQuery.of("welcome")[0]?.sub, "alice");
    await eventually(() => rt.hub.stats().TotalConnections === 2, "two connections");
    byHeader.close();
    byQuery.close();
    await eventually(() => rt.hub.stats().TotalConnections === 0, "connections gone");
  });

  test("refuses the upgrade with 401 when the token is missing, forged, expired or for another audience", async () => {
    assert.equal(await upgradeStatus(rt.url), 401);
    const forged = await signToken({ secret: "another-secret", sub: "mallory" });
    assert.equal(await upgradeStatus(rt.url, { authorization: `Bearer ${forged}` }), 401);
    const expired = await token("bob", { ttl: 60, now: Date.now() - 3_600_000 });
    assert.equal(await upgradeStatus(`${rt.url}?token=${expired}`), 401);
    const otherAudience = await token("carol", { audience: "torghut-ops" });
    assert.equal(await upgradeStatus(rt.url, { authorization: `Bearer ${otherAudience}` }), 401);
    assert.equal(await upgradeStatus(rt.url, { authorization: "Bearer not.a.jwt" }), 401);
    assert.equal(rt.hub.stats().TotalConnections, 0);
  });

  test("refuses a browser origin outside WS_ALLOWED_ORIGINS with 403 and accepts a listed one", async () => {
    const good = await token("dave", {});
    assert.equal(
      await upgradeStatus(rt.url, { authorization: `Bearer ${good}`, origin: "http://evil.example" }),
      403,
    );
    const ok = await TestClient.connect(rt.url, {
      token: good,
      headers: { origin: "http://localhost:3000" },
    });
    ok.close();
  });
});

describe("/ws limits", () => {
  test("refuses connections over the maximum and over the per-IP connect rate", async () => {
    const rt = await startRealtimeServer({}, { maxConnections: 1 });
    const first = await TestClient.connect(rt.url, { token: await token() });
    assert.equal(await upgradeStatus(rt.url, { authorization: `Bearer ${await token()}` }), 503);
    first.close();
    await rt.close();

    const limited = await startRealtimeServer({}, { connectRatePerIp: 2, connectRateWindowMs: 60_000 });
    const t = await token();
    const a = await TestClient.connect(limited.url, { token: t });
    const b = await TestClient.connect(limited.url, { token: t });
    assert.equal(await upgradeStatus(limited.url, { authorization: `Bearer ${t}` }), 429);
    a.close();
    b.close();
    await limited.close();
  });

  test("answers malformed messages with errors and closes after too many; oversized frames close with 1009", async () => {
    const rt = await startRealtimeServer({}, { maxMalformedMessages: 2, maxPayloadBytes: 1024 });
    const client = await TestClient.connect(rt.url, { token: await token() });
    client.send("not json");
    client.send({ type: "subscribe", channels: "lines:AAPL" });
    const errors = await client.waitFor("error", 2);
    assert.ok(errors.every((e) => e.code === "bad_request"));
    assert.equal(client.closeCode, null);
    client.send({ type: "launch-missiles" });
    assert.equal(await client.closed(), 1008);

    const big = await TestClient.connect(rt.url, { token: await token() });
    big.send({ type: "ping", id: "x".repeat(2048) });
    assert.equal(await big.closed(), 1009);
    await rt.close();
  });
});

describe("/ws channels", () => {
  let rt: RealtimeServer;
  before(async () => {
    rt = await startRealtimeServer({ updatesPerSecond: 0 });
  });
  after(() => rt.close());

  test("subscribe, receive, unsubscribe", async () => {
    const client = await TestClient.connect(rt.url, { token: await token() });
    await client.subscribe(["lines:MSFT"]);
    rt.hub.publishTrade(trade("MSFT", 400));
    rt.hub.publishTrade(trade("NVDA", 100));
    const [tick] = await client.waitFor("tick", 1, "lines:MSFT");
    assert.equal(tick?.data?.price, 400);
    assert.equal(typeof tick?.publishedAt, "number");
    assert.equal(tick?.epoch, rt.hub.epoch);
    client.send({ type: "unsubscribe", channels: ["lines:MSFT"] });
    await client.waitFor("unsubscribed");
    rt.hub.publishTrade(trade("MSFT", 401));
    client.send({ type: "ping", id: 7 });
    const [pong] = await client.waitFor("pong");
    assert.equal(pong?.id, 7);
    assert.equal(client.of("tick").length, 1, "nothing after unsubscribe");
    assert.equal(client.of("tick", "lines:NVDA").length, 0);
    client.close();
  });

  test("sends the latest value on subscribe, per channel and for a kind:* wildcard", async () => {
    rt.hub.publishTrade(trade("AMD", 150));
    rt.hub.publishTrade(trade("AMD", 151));
    rt.hub.publishTrade(trade("INTC", 30));
    const client = await TestClient.connect(rt.url, { token: await token() });
    await client.subscribe(["lines:AMD"]);
    const [snapshot] = await client.waitFor("tick", 1, "lines:AMD");
    assert.equal(snapshot?.data?.price, 151);
    const all = await TestClient.connect(rt.url, { token: await token() });
    await all.subscribe(["lines:*"]);
    await all.waitFor("tick", 1, "lines:INTC");
    rt.hub.publishTrade(trade("KO", 60));
    const [ko] = await all.waitFor("tick", 1, "lines:KO");
    assert.equal(ko?.data?.price, 60);
    client.close();
    all.close();
  });

  test("refuses unknown channels and channels outside the token's permissions", async () => {
    const client = await TestClient.connect(rt.url, {
      token: await token("viewer", { channels: ["lines:*"] }),
    });
    await client.subscribe(["order_book:AAPL", "bogus", "lines:AAPL"]);
    assert.deepEqual(
      client.of("error").map((e) => [e.channel, e.code]),
      [
        ["order_book:AAPL", "forbidden"],
        ["bogus", "bad_channel"],
      ],
    );
    assert.equal(client.of("subscribed")[0]?.channel, "lines:AAPL");
    client.close();
  });

  test("recovers missed publications after a reconnect, and says recovered:false past the history", async () => {
    const small = await startRealtimeServer({ updatesPerSecond: 0, historySize: 5 });
    const first = await TestClient.connect(small.url, { token: await token() });
    await first.subscribe(["lines:TSLA"]);
    small.hub.publishTrade(trade("TSLA", 1));
    const [seen] = await first.waitFor("tick", 1, "lines:TSLA");
    first.close();
    for (let price = 2; price <= 4; price++) small.hub.publishTrade(trade("TSLA", price));

    const back = await TestClient.connect(small.url, { token: await token() });
    await back.subscribe(["lines:TSLA"], { "lines:TSLA": { offset: seen!.offset!, epoch: seen!.epoch! } });
    assert.equal(back.of("subscribed")[0]?.recovered, true);
    const missed = await back.waitFor("tick", 3, "lines:TSLA");
    assert.deepEqual(
      missed.map((m) => m.data?.price),
      [2, 3, 4],
    );

    for (let price = 5; price <= 20; price++) small.hub.publishTrade(trade("TSLA", price));
    const late = await TestClient.connect(small.url, { token: await token() });
    await late.subscribe(["lines:TSLA"], { "lines:TSLA": { offset: 4, epoch: seen!.epoch! } });
    assert.equal(late.of("subscribed")[0]?.recovered, false);
    const [latest] = await late.waitFor("tick", 1, "lines:TSLA");
    assert.equal(latest?.data?.price, 20, "a failed recovery still gets the latest value");

    const otherEpoch = await TestClient.connect(small.url, { token: await token() });
    await otherEpoch.subscribe(["lines:TSLA"], { "lines:TSLA": { offset: 19, epoch: "previous-process" } });
    assert.equal(otherEpoch.of("subscribed")[0]?.recovered, false);
    back.close();
    late.close();
    otherEpoch.close();
    await small.close();
  });
});

describe("/ws lifecycle", () => {
  test("shutdown closes every client with 1001 and refuses new upgrades with 503", async () => {
    const rt = await startRealtimeServer();
    const a = await TestClient.connect(rt.url, { token: await token() });
    const b = await TestClient.connect(rt.url, { token: await token() });
    const result = await rt.hub.shutdown(5000);
    assert.deepEqual(result, { closed: 2, terminated: 0 });
    assert.equal(await a.closed(), 1001);
    assert.equal(await b.closed(), 1001);
    assert.equal(await upgradeStatus(rt.url, { authorization: `Bearer ${await token()}` }), 503);
    assert.equal(rt.hub.publishTrade(trade("AAPL", 1)), false);
    await rt.close();
  });

  test("leaves upgrades on other paths to their own handlers", async () => {
    const rt = await startRealtimeServer();
    const other = new WebSocketServer({ noServer: true });
    rt.server.on("upgrade", (req, socket, head) => {
      if (req.url === "/other") other.handleUpgrade(req, socket, head, (ws) => ws.send("hello from other"));
    });
    const ws = new WebSocket(`ws://127.0.0.1:${rt.port}/other`);
    const [data] = (await once(ws, "message")) as [Buffer];
    assert.equal(data.toString(), "hello from other");
    ws.terminate();
    other.close();
    await rt.close();
  });
});

describe("/ws with an injected clock", () => {
  test("throttles to 20 updates/s per channel and always delivers the last update of a burst", async () => {
    const clock = new ManualClock(Date.now());
    const rt = await startRealtimeServer({ clock }, { clock, heartbeatIntervalMs: 0 });
    const client = await TestClient.connect(rt.url, { token: await token() });
    await client.subscribe(["lines:AAPL", "lines:MSFT"]);
    for (let price = 1; price <= 10; price++) rt.hub.publishTrade(trade("AAPL", price));
    rt.hub.publishTrade(trade("MSFT", 7));
    await client.waitFor("tick", 1, "lines:MSFT");
    assert.deepEqual(
      client.of("tick", "lines:AAPL").map((m) => m.data?.price),
      [1],
    );
    clock.advance(49);
    rt.hub.publishTrade(trade("MSFT", 8));
    // The trailing edges' slot: at most 10 ms past the interval (the clock starts off the grid).
    clock.advance(11);
    await client.waitFor("tick", 2, "lines:AAPL");
    await client.waitFor("tick", 2, "lines:MSFT");
    assert.deepEqual(
      client.of("tick", "lines:AAPL").map((m) => m.data?.price),
      [1, 10],
    );
    assert.deepEqual(
      client.of("tick", "lines:MSFT").map((m) => m.data?.price),
      [7, 8],
    );
    assert.equal(rt.hub.stats().throttled, 8);
    client.close();
    await rt.close();
  });

  test("closes with 4001 when the token expires, unless the client refreshed it", async () => {
    const clock = new ManualClock(Date.now());
    const rt = await startRealtimeServer({ clock }, { clock, heartbeatIntervalMs: 0 });
    const refreshing = await TestClient.connect(rt.url, { token: await token("erin", { ttl: 60 }) });
    const lapsing = await TestClient.connect(rt.url, { token: await token("frank", { ttl: 60 }) });
    refreshing.send({ type: "refresh", token: await token("erin", { ttl: 3600 }) });
    const [refreshed] = await refreshing.waitFor("refreshed");
    assert.ok(typeof refreshed?.exp === "number" && refreshed.exp > Date.now() / 1000 + 600);
    refreshing.send({ type: "refresh", token: await token("someone-else") });
    await refreshing.waitFor("error");
    clock.advance(61_000);
    assert.equal(await lapsing.closed(), 4001);
    assert.equal(lapsing.of("error")[0]?.code, "token_expired");
    refreshing.send({ type: "ping" });
    await refreshing.waitFor("pong");
    assert.equal(refreshing.closeCode, null);
    refreshing.close();
    await rt.close();
  });
});
