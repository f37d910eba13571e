import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import WebSocket from "ws";
import type { RunningSimulator } from "../src/index";
import { AUTH, eventually, isError, KEY, startManual, StreamClient } from "./helpers";

async function subscribed(sim: RunningSimulator): Promise<StreamClient> {
  const client = await StreamClient.open(sim, "sip");
  await client.authenticate();
  await client.request({ action: "subscribe", trades: ["*"] });
  return client;
}

describe("fault controls", () => {
  let sim: RunningSimulator;
  const control = async (
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: any }> => {
    const res = await fetch(`${sim.url}${path}`, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };
  before(async () => (sim = await startManual({ tradesPerSecond: 600, staleSessionMs: 5_000 })));
  after(() => sim.close());

  test("POST/GET/DELETE /control/faults, with timed faults starting and ending on the simulator clock", async () => {
    assert.equal((await control("POST", "/control/faults", { target: "alpaca", fault: "nope" })).status, 400);
    assert.equal(
      (
        await control("POST", "/control/faults", {
          target: "yahoo",
          fault: "429",
          delayMs: 1_000,
          durationMs: 2_000,
        })
      ).status,
      201,
    );
    const chart = (): Promise<number> =>
      fetch(`${sim.url}/v8/finance/chart/AAPL?range=1d&interval=1m`).then((r) => r.status);
    assert.equal(await chart(), 200);
    sim.control.advance(999);
    assert.equal(await chart(), 200);
    sim.control.advance(1);
    assert.equal(await chart(), 429);
    assert.equal((await control("GET", "/control/faults")).body.active[0].spec.fault, "429");
    sim.control.advance(1_999);
    assert.equal(await chart(), 429);
    sim.control.advance(1);
    assert.equal(await chart(), 200);
    await control("POST", "/control/faults", { target: "rest", fault: "down" });
    await control("POST", "/control/faults", { target: "yahoo", fault: "down" });
    assert.equal((await control("DELETE", "/control/faults?target=rest")).body.active.length, 1);
    await control("DELETE", "/control/faults");
    assert.deepEqual(sim.control.faults(), []);
  });

  test("alpaca silent: socket open, pings answered, no data until it ends", async () => {
    const client = await subscribed(sim);
    sim.control.setFault({ target: "alpaca", fault: "silent", durationMs: 1_000 });
    const before = client.messages.length;
    sim.control.advance(999);
    let pongs = 0;
    client.socket.on("pong", () => pongs++);
    client.socket.ping();
    await eventually(() => pongs === 1, "pong while silent");
    assert.equal(client.messages.length, before);
    sim.control.advance(100);
    await eventually(() => client.messages.length > before, "data after silence");
    client.close();
    await client.closed();
  });

  test("alpaca drop: every socket closes uncleanly and its session lingers", async () => {
    const client = await subscribed(sim);
    sim.control.setFault({ target: "alpaca", fault: "drop", durationMs: 500 });
    assert.equal(await client.closed(), 1006);
    assert.equal(sim.control.counters().concurrentAuthenticatedSessions, 1);
    sim.control.advance(500);
    const retry = await StreamClient.open(sim, "sip");
    assert.equal((await retry.request(AUTH)).code, 406);
    sim.control.advance(4_500);
    assert.equal(sim.control.counters().concurrentAuthenticatedSessions, 0);
    retry.close();
    await retry.closed();
  });

  test("alpaca down refuses the upgrade; auth-fail 402; connection-limit 406", async () => {
    sim.control.setFault({ target: "alpaca", fault: "down", durationMs: 100 });
    const ws = new WebSocket(`${sim.alpacaStreamUrl}/v2/iex`);
    const status = await new Promise<number>((resolve) =>
      ws.on("unexpected-response", (_r, res) => resolve(res.statusCode ?? 0)),
    );
    assert.equal(status, 503);
    sim.control.advance(100);
    sim.control.setFault({ target: "alpaca", fault: "auth-fail" });
    const client = await StreamClient.open(sim);
    assert.equal((await client.request(AUTH)).code, 402);
    sim.control.clearFaults("alpaca");
    sim.control.setFault({ target: "alpaca", fault: "connection-limit" });
    assert.equal((await client.request(AUTH)).code, 406);
    sim.control.clearFaults();
    await client.authenticate();
    client.close();
    await client.closed();
  });

  test("alpaca 429 refuses new upgrades with HTTP 429 while open sockets carry on, until it ends", async () => {
    const open = await subscribed(sim);
    const opened = sim.control.counters().connectionsOpened;
    sim.control.setFault({ target: "alpaca", fault: "429", durationMs: 1_000 });
    const refusal = await new Promise<{ status: number; text: string; retryAfter: unknown }>((resolve) => {
      const ws = new WebSocket(`${sim.alpacaStreamUrl}/v2/iex`);
      ws.on("error", () => undefined);
      ws.on("unexpected-response", (_r, res) => {
        res.resume();
        resolve({
          status: res.statusCode ?? 0,
          text: res.statusMessage ?? "",
          retryAfter: res.headers["retry-after"],
        });
      });
    });
    assert.deepEqual(refusal, { status: 429, text: "Too Many Requests", retryAfter: undefined });
    assert.equal(sim.control.counters().connectionsOpened, opened, "a refused upgrade is no connection");
    assert.equal(open.closeCode, null, "the open socket is not dropped");
    const before = open.messages.length;
    sim.control.advance(500);
    await open.next((m) => m.T === "t", "data on the open socket during the fault", before);
    sim.control.advance(500);
    // One session per key: the open one goes first, so the suite's max-sessions count stays 1.
    open.close();
    await open.closed();
    const next = await StreamClient.open(sim);
    await next.authenticate();
    next.close();
    await next.closed();
  });

  test("alpaca malformed mixes invalid frames and fields into valid ones", async () => {
    const client = await subscribed(sim);
    sim.control.setFault({ target: "alpaca", fault: "malformed", durationMs: 2_000 });
    sim.control.advance(2_000);
    await eventually(() => client.frames.some((f) => !f.endsWith("]")), "a broken frame");
    await eventually(
      () =>
        client.frames.some((f) => f.includes("not-a-price")) &&
        client.frames.some((f) => f.includes('"T":"zz"')),
      "broken fields",
    );
    assert.ok(
      client.of("t").some((t) => typeof t.p === "number"),
      "valid trades still arrive",
    );
    client.close();
    await client.closed();
  });

  test("alpaca future-timestamps shifts event times ahead of the clock", async () => {
    const client = await subscribed(sim);
    sim.control.setFault({ target: "alpaca", fault: "future-timestamps", seconds: 3_600, durationMs: 1_000 });
    const before = client.messages.length;
    sim.control.advance(500);
    const trade = await client.next((m) => m.T === "t", "trade", before);
    assert.ok(Date.parse(trade.t as string) > sim.control.now() + 3_500_000);
    client.close();
    await client.closed();
  });

  test("alpaca slow-client: 407 then close", async () => {
    const client = await subscribed(sim);
    sim.control.setFault({ target: "alpaca", fault: "slow-client", durationMs: 10 });
    await client.next(isError(407), "407");
    await client.closed();
    assert.equal(
      sim.control.counters().concurrentAuthenticatedSessions,
      0,
      "a server-side close does not linger",
    );
  });

  test("a client that stops reading is cut off with 407", async () => {
    const slow = await startManual({
      tradesPerSecond: 50_000,
      slowClientBytes: 256 * 1024,
      slowClientGraceMs: 200,
    });
    try {
      const client = await subscribed(slow);
      (client.socket as unknown as { _socket: { pause(): void } })._socket.pause();
      for (let i = 0; i < 20 && !slow.control.counters().errorsSent["407"]; i++) {
        slow.control.advance(1_000);
        await eventually(
          () => (slow.control.counters().errorsSent["407"] ?? 0) > 0 || undefined,
          "407 counted",
          400,
        ).catch(() => undefined);
      }
      assert.equal(slow.control.counters().errorsSent["407"], 1);
      await eventually(
        () => slow.control.counters().concurrentAuthenticatedSessions === 0,
        "session closed, not lingering",
      );
    } finally {
      await slow.close();
    }
  });

  test("stall stops reading: requests go unanswered until it ends", async () => {
    const client = await StreamClient.open(sim);
    sim.control.setFault({ target: "alpaca", fault: "stall", durationMs: 1_000 });
    const from = client.messages.length;
    client.send(AUTH);
    let pongs = 0;
    client.socket.on("pong", () => pongs++);
    client.socket.ping();
    sim.control.advance(999);
    await fetch(`${sim.url}/control/counters`); // a round trip through the same server
    assert.equal(client.messages.length, from, "nothing answered while stalled");
    assert.equal(pongs, 0);
    sim.control.advance(1);
    await client.next((m) => m.msg === "authenticated", "auth handled after the stall", from);
    assert.equal(pongs, 1);
    client.close();
    await client.closed();
  });

  test("REST 429 fault and Yahoo slow fault", async () => {
    sim.control.setFault({ target: "rest", fault: "429", durationMs: 1_000 });
    assert.equal((await fetch(`${sim.url}/v2/stocks/AAPL/trades/latest`, { headers: KEY })).status, 429);
    sim.control.advance(1_000);
    assert.equal((await fetch(`${sim.url}/v2/stocks/AAPL/trades/latest`, { headers: KEY })).status, 200);
    sim.control.setFault({ target: "yahoo", fault: "slow", latencyMs: 150 });
    const started = Date.now();
    assert.equal((await fetch(`${sim.url}/v8/finance/chart/AAPL?range=1d&interval=1m`)).status, 200);
    assert.ok(Date.now() - started >= 150, "latency added");
    sim.control.clearFaults();
  });

  test("counters over HTTP", async () => {
    const { body } = await control("GET", "/control/counters");
    assert.ok(body.connectionsOpened >= 8);
    assert.ok(body.framesSent > 0 && body.messagesSent >= body.framesSent);
    assert.ok(body.restRequests >= 2 && body.yahooRequests >= 6);
    assert.equal(body.maxConcurrentAuthenticatedSessions, 1);
    assert.ok(body.errorsSent["406"] >= 2);
  });
});
