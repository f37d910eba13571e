import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { io as connectSocketIo, type Socket as SocketIoClient } from "socket.io-client";
import { registry } from "../../metrics/registry";
import { signToken } from "../auth";
import { eventually } from "@torghut/testing";
import { TestClient, token, trade } from "../../../test/support/realtime";
import {
  SocketIoTestClient,
  startTransportsServer,
  type TransportsServer,
} from "../../../test/support/signalr-socketio";

type Reply = { type: string; channel?: string; code?: string; recovered?: boolean };

describe("/socket.io authentication", () => {
  let rt: TransportsServer;
  before(async () => {
    rt = await startTransportsServer({}, { socketio: {} });
  });
  after(() => rt.close());

  test("refuses a missing, forged, expired or wrong-audience token with connect_error naming the reason", async () => {
    assert.equal(await SocketIoTestClient.refusal(rt.base, {}), "missing_token");
    const forged = await signToken({ secret: "another-secret", sub: "mallory" });
    assert.equal(await SocketIoTestClient.refusal(rt.base, { token: forged }), "invalid_token");
    const expired = await token("bob", { ttl: 60, now: Date.now() - 3_600_000 });
    assert.equal(await SocketIoTestClient.refusal(rt.base, { token: expired }), "token_expired");
    assert.equal(
      await SocketIoTestClient.refusal(rt.base, { token: await token("carol", { audience: "torghut-ops" }) }),
      "invalid_token",
    );
    assert.equal(rt.hub.stats().TotalConnections, 0);
  });

  test("accepts the token from auth, over websocket and over long-polling", async () => {
    const ws = await SocketIoTestClient.connect(rt.base, await token("alice", {}));
    const polling = await SocketIoTestClient.connect(rt.base, await token("dave", {}), ["polling"]);
    assert.equal(ws.of("welcome")[0]?.sub, "alice");
    assert.equal(polling.of("welcome")[0]?.sub, "dave");
    assert.deepEqual(rt.hub.stats().connectionsByTransport, { socketio: 2 });
    await polling.emit("subscribe", ["lines:IBM"]);
    rt.hub.publishTrade(trade("IBM", 290));
    const [tick] = await polling.waitFor("tick", 1, "lines:IBM");
    assert.equal(tick?.data?.price, 290, "publications reach a long-polling client too");
    ws.socket.close();
    polling.socket.close();
    await eventually(() => rt.hub.stats().TotalConnections === 0, "connections gone");
  });

  test("takes the token from auth first, then an Authorization: Bearer header, then ?token=", async () => {
    const outcomeOf = async (options: {
      auth?: Record<string, unknown>;
      extraHeaders?: Record<string, string>;
      query?: Record<string, string>;
    }): Promise<string> => {
      const socket = connectSocketIo(rt.base, {
        transports: ["websocket"],
        reconnection: false,
        forceNew: true,
        ...options,
      });
      let seen: string | undefined;
      socket.on("control", (message: Reply & { sub?: string }) => {
        if (message.type === "welcome") seen = `welcome ${message.sub}`;
      });
      socket.on("connect_error", (error) => (seen = `refused ${error.message}`));
      try {
        return await eventually(() => seen, "welcome or refusal");
      } finally {
        socket.close();
      }
    };
    const [alice, bob, carol] = await Promise.all(["alice", "bob", "carol"].map((sub) => token(sub, {})));
    const bearer = { authorization: `Bearer ${alice}` };
    assert.equal(await outcomeOf({ extraHeaders: bearer }), "welcome alice");
    assert.equal(await outcomeOf({ query: { token: bob! } }), "welcome bob");
    assert.equal(await outcomeOf({ extraHeaders: bearer, query: { token: bob! } }), "welcome alice");
    assert.equal(
      await outcomeOf({ auth: { token: carol }, extraHeaders: bearer, query: { token: bob! } }),
      "welcome carol",
    );
    assert.equal(await outcomeOf({ auth: { token: "" }, extraHeaders: bearer }), "welcome alice");
    assert.equal(
      await outcomeOf({ extraHeaders: { authorization: `Basic ${alice}` } }),
      "refused missing_token",
    );
    await eventually(() => rt.hub.stats().TotalConnections === 0, "connections gone");
  });
});

async function rejected(reason: string): Promise<number> {
  const metric = await registry.getSingleMetric("torghut_realtime_rejected_connections_total")?.get();
  return (
    metric?.values.find((v) => v.labels.transport === "socketio" && v.labels.reason === reason)?.value ?? 0
  );
}

/** socket.io-client with an Origin header, as a browser on that page would send it. */
function fromOrigin(base: string, jwt: string, origin: string, transport: "websocket" | "polling") {
  return connectSocketIo(base, {
    auth: { token: jwt },
    transports: [transport],
    extraHeaders: { origin },
    reconnection: false,
    forceNew: true,
  });
}

function outcome(
  socket: SocketIoClient,
): Promise<{ connected: true } | { error: Error & { data?: unknown } }> {
  return new Promise((resolve) => {
    socket.once("connect", () => resolve({ connected: true }));
    socket.once("connect_error", (error) => resolve({ error }));
  });
}

describe("/socket.io admission", () => {
  test("refuses an origin outside WS_ALLOWED_ORIGINS with connect_error `origin`, counted as /ws counts it", async () => {
    const rt = await startTransportsServer({}, { socketio: { allowedOrigins: ["http://localhost:3000"] } });
    try {
      const before = await rejected("origin");
      for (const transport of ["websocket", "polling"] as const) {
        const socket = fromOrigin(rt.base, await token(), "http://evil.example", transport);
        const result = await outcome(socket);
        socket.close();
        assert.ok("error" in result, `${transport}: refused`);
        assert.equal(result.error.message, "origin", transport);
        assert.deepEqual(result.error.data, { code: "origin", message: "origin not allowed" });
      }
      assert.equal((await rejected("origin")) - before, 2);
      assert.equal(rt.hub.stats().TotalConnections, 0);
      await eventually(() => rt.socketio.io.engine.clientsCount === 0, "no engine.io connection left behind");

      const listed = fromOrigin(rt.base, await token("dave"), "http://localhost:3000", "websocket");
      assert.deepEqual(await outcome(listed), { connected: true });
      listed.close();
    } finally {
      await rt.close();
    }
  });

  test("the connection limit refuses the (N+1)th client with connect_error `max_connections`; the first N stay", async () => {
    const max = 2;
    const rt = await startTransportsServer({}, { socketio: { maxConnections: max } });
    try {
      const admitted: SocketIoTestClient[] = [];
      for (let i = 0; i < max; i++) admitted.push(await SocketIoTestClient.connect(rt.base, await token()));
      const before = await rejected("max_connections");
      const extra = SocketIoTestClient.create(rt.base, { token: await token() });
      const result = await outcome(extra.socket);
      extra.socket.close();
      assert.ok("error" in result, "refused");
      assert.equal(result.error.message, "max_connections");
      assert.deepEqual(result.error.data, { code: "max_connections", message: "too many connections" });
      assert.equal((await rejected("max_connections")) - before, 1);

      assert.equal(rt.hub.stats().TotalConnections, max);
      for (const client of admitted) {
        assert.equal(client.socket.connected, true);
        assert.equal(client.disconnectReason, null);
        await client.emit("subscribe", ["lines:IBM"]);
      }
      rt.hub.publishTrade(trade("IBM", 300));
      for (const client of admitted) await client.waitFor("tick", 1, "lines:IBM");

      admitted[0]!.socket.close();
      await eventually(() => rt.hub.stats().TotalConnections === max - 1, "a place freed");
      const next = await SocketIoTestClient.connect(rt.base, await token());
      assert.equal(rt.hub.stats().TotalConnections, max);
      for (const client of [...admitted, next]) client.socket.close();
    } finally {
      await rt.close();
    }
  });
});

describe("/socket.io connect rate", () => {
  test("over the per-IP connect rate the handshake itself is refused, before any engine.io session", async () => {
    const rt = await startTransportsServer(
      {},
      { admission: { connectRatePerIp: 1, connectRateWindowMs: 60_000 } },
    );
    try {
      const first = await SocketIoTestClient.connect(rt.base, await token());
      const before = await rejected("rate_limited");
      const flood = SocketIoTestClient.create(rt.base, { token: await token() });
      const result = await outcome(flood.socket);
      flood.socket.close();
      assert.ok("error" in result, "refused");
      assert.equal(
        result.error.message,
        "websocket error",
        "a transport error: no session to carry a reason",
      );
      assert.equal((await rejected("rate_limited")) - before, 1);
      assert.equal(rt.socketio.io.engine.clientsCount, 1);
      first.socket.close();
    } finally {
      await rt.close();
    }
  });
});

describe("/socket.io channels", () => {
  let rt: TransportsServer;
  before(async () => {
    rt = await startTransportsServer({ updatesPerSecond: 0, historySize: 5 });
  });
  after(() => rt.close());

  test("subscribe with an ack, `publication` events with the /ws envelope, unsubscribe stops delivery", async () => {
    const client = await SocketIoTestClient.connect(rt.base, await token());
    const replies = await client.emit<Reply[]>("subscribe", ["lines:MSFT"]);
    assert.deepEqual(
      replies.map((r) => [r.type, r.channel]),
      [["subscribed", "lines:MSFT"]],
    );
    assert.equal(client.of("subscribed").length, 1, "also a control message, as on /ws");
    const room = await rt.socketio.io.in("lines:MSFT").fetchSockets();
    assert.equal(room.length, 1, "the channel is mirrored as a room");
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
    const left = await client.emit<Reply[]>("unsubscribe", ["lines:MSFT"]);
    assert.equal(left[0]?.type, "unsubscribed");
    rt.hub.publishTrade(trade("MSFT", 401));
    const pong = await client.emit<Reply>("ping");
    assert.equal(pong.type, "pong");
    assert.equal(client.of("tick").length, 1, "nothing after unsubscribe");
    assert.equal(client.of("tick", "lines:NVDA").length, 0);
    client.socket.close();
  });

  test("snapshot on subscribe, refusals per channel, malformed requests answered with bad_request", async () => {
    rt.hub.publishTrade(trade("AMD", 150));
    rt.hub.publishTrade(trade("AMD", 151));
    const client = await SocketIoTestClient.connect(
      rt.base,
      await token("viewer", { channels: ["lines:*"] }),
    );
    const replies = await client.emit<Reply[]>("subscribe", ["lines:AMD", "order_book:AMD", "bogus"]);
    assert.deepEqual(
      replies.map((r) => r.code ?? r.type),
      ["subscribed", "forbidden", "bad_channel"],
    );
    const [snapshot] = await client.waitFor("tick", 1, "lines:AMD");
    assert.equal(snapshot?.data?.price, 151);
    const bad = await client.emit<Reply[]>("subscribe", "lines:AMD");
    assert.equal(bad[0]?.code, "bad_request");
    client.socket.emit("launch-missiles");
    await eventually(
      () => client.of("error").filter((e) => e.code === "bad_request").length === 2,
      "unknown event refused",
    );
    client.socket.close();
  });

  test("recover after a reconnect: missed publications in order", async () => {
    const first = await SocketIoTestClient.connect(rt.base, await token());
    await first.emit("subscribe", ["lines:TSLA"]);
    rt.hub.publishTrade(trade("TSLA", 1));
    const [seen] = await first.waitFor("tick", 1, "lines:TSLA");
    first.socket.close();
    for (let price = 2; price <= 4; price++) rt.hub.publishTrade(trade("TSLA", price));
    const back = await SocketIoTestClient.connect(rt.base, await token());
    const [reply] = await back.emit<Reply[]>("subscribe", ["lines:TSLA"], {
      "lines:TSLA": { offset: seen!.offset!, epoch: seen!.epoch! },
    });
    assert.equal(reply?.recovered, true);
    const missed = await back.waitFor("tick", 3, "lines:TSLA");
    assert.deepEqual(
      missed.map((m) => m.data?.price),
      [2, 3, 4],
    );
    back.socket.close();
  });

  test("/ws upgrades are left alone by socket.io (destroyUpgrade: false)", async () => {
    const ws = await TestClient.connect(`ws://127.0.0.1:${rt.port}/ws`, { token: await token() });
    await ws.subscribe(["status"]);
    rt.hub.publishStatus({
      state: "PRIMARY_ACTIVE",
      activeSource: "alpaca",
      delayed: false,
      reason: null,
      changedAt: 1,
    });
    await ws.waitFor("status");
    assert.equal(ws.closeCode, null, "still open well after the upgrade");
    ws.close();
  });

  test("hub shutdown: a close notice, then a transport close the client may reconnect after", async () => {
    const own = await startTransportsServer();
    const client = await SocketIoTestClient.connect(own.base, await token());
    await own.hub.shutdown(5000);
    await eventually(() => client.disconnectReason ?? undefined, "disconnect");
    assert.equal(client.disconnectReason, "transport close");
    assert.deepEqual(client.of("close")[0], { type: "close", code: 1001, reason: "server shutdown" });
    await own.close();
  });
});
