// Socket.IO's bad inputs, including the raw protocol: one engine.io connection sending many CONNECT
// packets (each used to be a hub session, and each bad one a token check with no rate limit).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import WebSocket from "ws";
import { eventually } from "@torghut/testing";
import { HUB_AUDIENCE } from "../../src/realtime/auth";
import { badTokens, localMetric } from "../support/bad-tokens";
import { TEST_SECRET, token } from "../support/realtime";
import {
  SocketIoTestClient,
  startTransportsServer,
  type TransportsServer,
} from "../support/signalr-socketio";

const rejected = (reason: string) =>
  localMetric("torghut_realtime_rejected_connections_total", { transport: "socketio", reason });

/**
 * A raw engine.io WebSocket: sends `count` CONNECT packets with `auth` and collects the answers until
 * it has one for each, or the server closes the connection (an abusive client may be dropped).
 */
async function connectPackets(port: number, auth: Record<string, unknown>, count: number): Promise<string[]> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`);
  const answers: string[] = [];
  let closed = false;
  ws.on("close", () => (closed = true));
  ws.on("message", (data: Buffer) => {
    const text = data.toString();
    if (text.startsWith("0")) for (let i = 0; i < count; i++) ws.send(`40${JSON.stringify(auth)}`);
    else if (text === "2") ws.send("3");
    else if (text.startsWith("40") || text.startsWith("44")) answers.push(text);
  });
  await eventually(() => answers.length >= count || closed, `${count} answers or a close`, 15_000);
  ws.terminate();
  return answers;
}

describe("security: Socket.IO", () => {
  let rt: TransportsServer;
  before(async () => {
    rt = await startTransportsServer({ servedSymbols: ["AAPL"] }, { admission: { connectRatePerIp: 0 } });
  });
  after(() => rt.close());

  test("every bad token is a connect_error naming the reason, counted", async () => {
    for (const bad of (await badTokens(TEST_SECRET, HUB_AUDIENCE)).slice(0, 6)) {
      const before = await rejected(bad.code);
      const auth = bad.token === "" ? {} : { token: bad.token };
      assert.equal(await SocketIoTestClient.refusal(rt.base, auth), bad.code, bad.name);
      assert.equal(await rejected(bad.code), before + 1, bad.name);
    }
    assert.equal(rt.hub.stats().TotalConnections, 0);
  });

  test("300 CONNECT packets on one connection get one hub session", async () => {
    let most = 0;
    const watch = setInterval(() => (most = Math.max(most, rt.hub.stats().TotalConnections)), 1);
    const answers = await connectPackets(rt.port, { token: await token("multiplexer") }, 300);
    clearInterval(watch);
    // Before the fix each CONNECT was a hub session of its own (300). Now: one; the rest are refused
    // (or the connection is dropped once its refusals back up).
    assert.equal(answers.filter((a) => a.startsWith("40")).length, 1, "one CONNECT accepted");
    const refusals = answers.filter((a) => a.startsWith("44")).map((a) => JSON.parse(a.slice(2)).data?.code);
    assert.deepEqual([...new Set(refusals)], ["already_connected"]);
    assert.ok(most <= 1, `${most} sessions at once`);
    await eventually(() => rt.hub.stats().TotalConnections === 0, "closed with the raw socket");
  });

  test("200 bad-token CONNECTs are rate-limited after the limit, without a token check each", async () => {
    // A fresh server: its connect budget is untouched.
    const fresh = await startTransportsServer(
      {},
      { admission: { connectRatePerIp: 30, connectRateWindowMs: 60_000 } },
    );
    try {
      const invalidBefore = await rejected("invalid_token");
      const limitedBefore = await rejected("rate_limited");
      const answers = await connectPackets(fresh.port, { token: "forged.token.value" }, 200);
      const codes = answers.map((a) => JSON.parse(a.slice(2)).data?.code);
      // The handshake spent one of its own bucket; the CONNECTs have 30 between them. A CONNECT that
      // arrives while another is being checked is refused without a check of its own.
      const checked = codes.filter((c) => c === "invalid_token").length;
      assert.ok(checked >= 1 && checked <= 30, `${checked} token checks`);
      assert.equal(checked + codes.filter((c) => c === "already_connected").length, 30);
      assert.equal(codes.filter((c) => c === "rate_limited").length, 170);
      assert.equal(await rejected("invalid_token"), invalidBefore + checked);
      assert.equal(await rejected("rate_limited"), limitedBefore + 170);
    } finally {
      await fresh.close();
    }
  });

  test("no CORS headers for an unconfigured origin on the polling handshake", async () => {
    const res = await fetch(`${rt.base}/socket.io/?EIO=4&transport=polling`, {
      headers: { origin: "https://evil.example" },
    });
    await res.arrayBuffer();
    assert.equal(res.headers.get("access-control-allow-origin"), null);
    assert.equal(res.headers.get("access-control-allow-credentials"), null);
  });

  test("an oversized packet closes the connection", async () => {
    const client = await SocketIoTestClient.connect(rt.base, await token("big"));
    client.socket.emit("subscribe", ["x".repeat(64 * 1024)]);
    await eventually(() => client.disconnectReason !== null, "disconnected");
    await eventually(() => rt.hub.stats().TotalConnections === 0, "session gone");
  });
});
