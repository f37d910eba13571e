// /ws's bad inputs, table by table, against the real transport on port 0 with real `ws` clients:
// each is refused with its status or close code, counted in its metric, and leaves no session behind.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import WebSocket from "ws";
import { eventually } from "@torghut/testing";
import { HUB_AUDIENCE } from "../../src/realtime/auth";
import { clientAddressOf } from "../../src/security/client-address";
import { badTokens, localMetric } from "../support/bad-tokens";
import { TEST_SECRET, TestClient, token, upgradeStatus } from "../support/realtime";
import { startTransportsServer, type TransportsServer } from "../support/signalr-socketio";

const rejected = (reason: string) =>
  localMetric("torghut_realtime_rejected_connections_total", { transport: "ws", reason });

describe("security: /ws", () => {
  let rt: TransportsServer;
  let url: string;
  before(async () => {
    rt = await startTransportsServer(
      { servedSymbols: ["AAPL", "MSFT"] },
      { admission: { maxConnectionsPerIp: 3, connectRatePerIp: 0 } },
    );
    url = `ws://127.0.0.1:${rt.port}/ws`;
  });
  after(() => rt.close());

  test("every bad token is a 401 before any WebSocket exists, counted by reason", async () => {
    for (const bad of await badTokens(TEST_SECRET, HUB_AUDIENCE)) {
      const before = await rejected(bad.code);
      const headers: Record<string, string> =
        bad.token === "" ? {} : { authorization: `Bearer ${bad.token}` };
      assert.equal(await upgradeStatus(url, headers), 401, bad.name);
      assert.equal(await rejected(bad.code), before + 1, bad.name);
    }
    assert.equal(rt.hub.stats().TotalConnections, 0);
  });

  test("an oversized frame closes with 1009; the session is gone", async () => {
    const client = await TestClient.connect(url, { token: await token("big") });
    client.send({ type: "subscribe", channels: ["lines:AAPL"], pad: "x".repeat(64 * 1024) });
    assert.equal(await client.closed(), 1009);
    await eventually(() => rt.hub.stats().TotalConnections === 0, "session gone");
  });

  test("malformed messages are answered, then the connection is closed with 1008", async () => {
    const client = await TestClient.connect(url, { token: await token("junk") });
    for (let i = 0; i < 6; i++) client.send("{not json");
    assert.equal(await client.closed(), 1008);
    assert.ok(client.of("error").length >= 5);
  });

  test("channels of symbols we do not serve are unknown: nothing is remembered for them", async () => {
    const client = await TestClient.connect(url, { token: await token("browser") });
    const names = Array.from({ length: 100 }, (_, i) => `lines:Z${i.toString(36).toUpperCase()}`);
    await client.subscribe(names);
    assert.equal(client.of("error").filter((e) => e.code === "bad_channel").length, 100);
    await client.subscribe(["lines:AAPL"]);
    assert.equal(client.of("subscribed").length, 1);
    assert.equal(rt.hub.stats().channels, 1);
    client.close();
    await eventually(() => rt.hub.stats().TotalConnections === 0, "closed");
  });

  test("open connections per client address are capped across transports; X-Forwarded-For from an untrusted peer changes nothing", async () => {
    const good = await token("many");
    const open = [];
    for (let i = 0; i < 3; i++) open.push(await TestClient.connect(url, { token: good }));
    const before = await rejected("max_connections_per_ip");
    assert.equal(
      await upgradeStatus(url, { authorization: `Bearer ${good}`, "x-forwarded-for": "203.0.113.50" }),
      429,
    );
    assert.equal(await rejected("max_connections_per_ip"), before + 1);
    // The cap counts Socket.IO too: one address, one budget.
    const refused = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${rt.port}/socket.io/?EIO=4&transport=websocket`);
      ws.on("message", (data: Buffer) => {
        const text = data.toString();
        if (text.startsWith("0")) ws.send(`40${JSON.stringify({ token: good })}`);
        if (text.startsWith("44")) {
          ws.terminate();
          resolve(JSON.parse(text.slice(2)).data?.code === "max_connections_per_ip" ? 1 : 0);
        }
      });
    });
    assert.equal(refused, 1);
    open.pop()!.close();
    await eventually(() => rt.hub.stats().TotalConnections === 2, "one closed");
    const again = await TestClient.connect(url, { token: good });
    again.close();
    for (const client of open) client.close();
    await eventually(() => rt.hub.stats().TotalConnections === 0, "all closed");
  });
});

describe("security: /ws connect rate and trusted proxies", () => {
  const flood = async (url: string, headers: Record<string, string> = {}) => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push(await upgradeStatus(url, headers));
    return statuses;
  };

  test("a connect flood is a 429 after the limit; a forged X-Forwarded-For buys no fresh budget", async () => {
    const rt = await startTransportsServer(
      {},
      { admission: { connectRatePerIp: 5, connectRateWindowMs: 60_000 } },
    );
    try {
      const url = `ws://127.0.0.1:${rt.port}/ws`;
      assert.deepEqual(await flood(url), [401, 401, 401, 401, 401, 429, 429]);
      assert.equal(await upgradeStatus(url, { "x-forwarded-for": "203.0.113.9" }), 429);
    } finally {
      await rt.close();
    }
  });

  test("behind a trusted proxy (TRUSTED_PROXIES) each forwarded client has its own budget", async () => {
    const rt = await startTransportsServer(
      {},
      {
        admission: {
          connectRatePerIp: 5,
          connectRateWindowMs: 60_000,
          clientAddress: clientAddressOf(["loopback"]),
        },
      },
    );
    try {
      const url = `ws://127.0.0.1:${rt.port}/ws`;
      assert.deepEqual(
        await flood(url, { "x-forwarded-for": "203.0.113.10" }),
        [401, 401, 401, 401, 401, 429, 429],
      );
      assert.equal(await upgradeStatus(url, { "x-forwarded-for": "203.0.113.11" }), 401, "another client");
    } finally {
      await rt.close();
    }
  });
});
