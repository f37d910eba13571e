// SignalR's bad inputs: at negotiate and at the upgrade, each refused with its status, counted, and
// without a session; CORS only for configured origins; oversized records closed.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { eventually } from "@torghut/testing";
import { HUB_AUDIENCE } from "../../src/realtime/auth";
import { badTokens, localMetric } from "../support/bad-tokens";
import { TEST_SECRET, token, upgradeStatus } from "../support/realtime";
import { SignalrTestClient, startTransportsServer, type TransportsServer } from "../support/signalr-socketio";

const rejected = (reason: string) =>
  localMetric("torghut_realtime_rejected_connections_total", { transport: "signalr", reason });

describe("security: SignalR", () => {
  let rt: TransportsServer;
  before(async () => {
    rt = await startTransportsServer(
      { servedSymbols: ["AAPL"] },
      { admission: { allowedOrigins: ["https://desk.example"] } },
    );
  });
  after(() => rt.close());

  const negotiate = (headers: Record<string, string>) =>
    fetch(`${rt.base}/hubs/market-data/negotiate?negotiateVersion=1`, { method: "POST", headers });

  test("every bad token is refused at negotiate and at a direct upgrade with 401, counted", async () => {
    for (const bad of await badTokens(TEST_SECRET, HUB_AUDIENCE)) {
      const headers: Record<string, string> =
        bad.token === "" ? {} : { authorization: `Bearer ${bad.token}` };
      const before = await rejected(bad.code);
      const res = await negotiate(headers);
      await res.arrayBuffer();
      assert.equal(res.status, 401, bad.name);
      assert.equal(
        await upgradeStatus(`ws://127.0.0.1:${rt.port}/hubs/market-data`, headers),
        401,
        `${bad.name} (upgrade)`,
      );
      assert.equal(await rejected(bad.code), before + 2, bad.name);
    }
    assert.equal(rt.hub.stats().TotalConnections, 0);
  });

  test("CORS names only a configured origin, and never reflects another", async () => {
    const good = await token("cors");
    const evil = await negotiate({ authorization: `Bearer ${good}`, origin: "https://evil.example" });
    await evil.arrayBuffer();
    assert.equal(evil.status, 403);
    assert.equal(evil.headers.get("access-control-allow-origin"), null);
    const preflight = await fetch(`${rt.base}/hubs/market-data/negotiate`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    assert.equal(preflight.status, 403);
    assert.equal(preflight.headers.get("access-control-allow-origin"), null);
    const desk = await negotiate({ authorization: `Bearer ${good}`, origin: "https://desk.example" });
    await desk.arrayBuffer();
    assert.equal(desk.status, 200);
    assert.equal(desk.headers.get("access-control-allow-origin"), "https://desk.example");
  });

  test("an oversized record closes the connection with 1009", async () => {
    const client = await SignalrTestClient.connect(rt.base, await token("big"));
    await assert.rejects(client.connection.invoke("Subscribe", ["x".repeat(64 * 1024)]));
    await eventually(() => client.closedWith !== null, "closed");
    await eventually(() => rt.hub.stats().TotalConnections === 0, "session gone");
  });

  test("channels of symbols we do not serve are refused", async () => {
    const client = await SignalrTestClient.connect(rt.base, await token("browser"));
    const replies = await client.connection.invoke<{ type: string; code?: string }[]>("Subscribe", [
      "lines:ZZZZ",
      "lines:AAPL",
    ]);
    assert.deepEqual(
      replies.map((r) => r.code ?? r.type),
      ["bad_channel", "subscribed"],
    );
    await client.connection.stop();
  });
});
