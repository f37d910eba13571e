import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { RunningSimulator } from "../src/index";
import { AUTH, eventually, isError, KEY, startManual, StreamClient } from "./helpers";

describe("Alpaca stream: connect and authenticate", () => {
  let sim: RunningSimulator;
  before(async () => {
    sim = await startManual({
      authTimeoutMs: 10_000,
      staleSessionMs: 90_000,
      keys: [
        { keyId: "sim-key", secretKey: "sim-secret" },
        { keyId: "free-key", secretKey: "free-secret", feeds: ["iex", "test"] },
      ],
    });
  });
  after(() => sim.close());

  test("sends connected first, then authenticated for a good auth message", async () => {
    const client = await StreamClient.open(sim);
    assert.deepEqual(client.messages[0], { T: "success", msg: "connected" });
    assert.equal(client.frames[0], '[{"T":"success","msg":"connected"}]');
    await client.authenticate();
    client.close();
    await client.closed();
  });

  test("authenticates from the key headers on the upgrade request without an auth message", async () => {
    const client = await StreamClient.open(sim, "sip", KEY);
    await client.next((m) => m.msg === "authenticated", "authenticated");
    assert.deepEqual(client.messages.slice(0, 2), [
      { T: "success", msg: "connected" },
      { T: "success", msg: "authenticated" },
    ]);
    client.close();
    await client.closed();
  });

  test("402 for bad credentials, 403 for a second auth, 401 for subscribe before auth, 400 for bad syntax", async () => {
    const client = await StreamClient.open(sim);
    assert.deepEqual(await client.request({ action: "subscribe", trades: ["AAPL"] }), {
      T: "error",
      code: 401,
      msg: "not authenticated",
    });
    assert.deepEqual(await client.request({ action: "auth", key: "sim-key", secret: "wrong" }), {
      T: "error",
      code: 402,
      msg: "auth failed",
    });
    await client.authenticate();
    assert.deepEqual(await client.request(AUTH), { T: "error", code: 403, msg: "already authenticated" });
    assert.deepEqual(await client.request("{not json"), { T: "error", code: 400, msg: "invalid syntax" });
    assert.deepEqual(await client.request({ action: "dance" }), {
      T: "error",
      code: 400,
      msg: "invalid syntax",
    });
    assert.deepEqual(await client.request({ action: "subscribe", trades: ["not a symbol"] }), {
      T: "error",
      code: 400,
      msg: "invalid syntax",
    });
    assert.deepEqual(await client.request({ action: "subscribe" }), {
      T: "error",
      code: 400,
      msg: "invalid syntax",
    });
    assert.equal(client.closeCode, null, "errors other than 404/407 keep the socket open");
    client.close();
    await client.closed();
  });

  test("404 auth timeout then close, exactly when the auth window ends", async () => {
    const client = await StreamClient.open(sim);
    sim.control.advance(9_990);
    // A failed auth does not stop the window.
    assert.equal((await client.request({ action: "auth", key: "sim-key" })).code, 402);
    assert.equal(client.messages.some(isError(404)), false);
    sim.control.advance(20);
    await client.next(isError(404), "404 auth timeout");
    await client.closed();
  });

  test("409 when the key's plan does not include the feed", async () => {
    const client = await StreamClient.open(sim, "sip");
    assert.deepEqual(await client.request({ action: "auth", key: "free-key", secret: "free-secret" }), {
      T: "error",
      code: 409,
      msg: "insufficient subscription",
    });
    client.close();
    await client.closed();
  });

  test("406 while another session with the same key is live; a clean close frees the slot at once", async () => {
    const first = await StreamClient.open(sim);
    await first.authenticate();
    const second = await StreamClient.open(sim);
    assert.deepEqual(await second.request(AUTH), { T: "error", code: 406, msg: "connection limit exceeded" });
    assert.equal(sim.control.counters().concurrentAuthenticatedSessions, 1);
    // Another endpoint is a separate slot.
    const other = await StreamClient.open(sim, "sip");
    await other.authenticate();
    assert.equal(sim.control.counters().concurrentAuthenticatedSessions, 2);
    other.close();
    first.close();
    await first.closed();
    await eventually(() => sim.control.counters().concurrentAuthenticatedSessions === 0, "sessions closed");
    await second.authenticate();
    second.close();
    await second.closed();
  });

  test("a session dropped uncleanly lingers for staleSessionMs and answers 406 until reaped", async () => {
    const first = await StreamClient.open(sim);
    await first.authenticate();
    first.socket.terminate(); // no close frame
    await eventually(
      () => sim.control.counters().concurrentAuthenticatedSessions === 1 && first.closeCode !== null,
      "unclean drop seen",
    );
    const retry = await StreamClient.open(sim);
    assert.equal((await retry.request(AUTH)).code, 406);
    // The 406 leaves the socket open but unauthenticated; its own auth window then runs out.
    sim.control.advance(89_000);
    await retry.next(isError(404), "404 after the 406");
    const stillStale = await StreamClient.open(sim);
    assert.equal((await stillStale.request(AUTH)).code, 406);
    assert.equal(sim.control.counters().concurrentAuthenticatedSessions, 1);
    sim.control.advance(1_000);
    assert.equal(sim.control.counters().concurrentAuthenticatedSessions, 0);
    const late = await StreamClient.open(sim);
    await late.authenticate();
    late.close();
    stillStale.close();
    await late.closed();
  });

  test("answers WebSocket pings", async () => {
    const client = await StreamClient.open(sim);
    let pongs = 0;
    client.socket.on("pong", () => pongs++);
    client.socket.ping();
    await eventually(() => pongs === 1, "pong");
    client.close();
    await client.closed();
  });

  test("unknown endpoints are refused at the upgrade", async () => {
    const { default: WebSocket } = await import("ws");
    const ws = new WebSocket(`${sim.alpacaStreamUrl}/v2/nope`);
    const status = await new Promise<number>((resolve) =>
      ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0)),
    );
    assert.equal(status, 404);
  });
});
