import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import WebSocket from "ws";
import type { RunningSimulator } from "../src/index";
import { eventually, KEY, startManual, StreamClient } from "./helpers";

async function subscribed(sim: RunningSimulator, symbols = ["AAPL", "MSFT"]): Promise<StreamClient> {
  const client = await StreamClient.open(sim, "sip");
  await client.authenticate();
  await client.request({ action: "subscribe", trades: symbols, quotes: symbols });
  return client;
}

describe("market session, clock and the faults issue #14 adds", () => {
  let sim: RunningSimulator;
  before(async () => (sim = await startManual({ tradesPerSecond: 600 })));
  after(() => sim.close());
  const get = async (path: string, headers: Record<string, string> = KEY) => {
    const res = await fetch(`${sim.alpacaTradingUrl}${path}`, { headers });
    return { status: res.status, body: (await res.json()) as any };
  };

  test("GET /v2/clock: open by default, New York offsets; closed when told, and the stream falls quiet", async () => {
    const open = await get("/v2/clock");
    assert.equal(open.status, 200);
    assert.equal(open.body.is_open, true);
    assert.match(open.body.timestamp, /^2025-03-12T15:00:00\.000000000-04:00$/);
    assert.equal(open.body.next_close, "2025-03-12T16:00:00-04:00");
    assert.equal(open.body.next_open, "2025-03-13T09:30:00-04:00");
    assert.equal((await get("/v2/clock", {})).status, 401, "keys required, as on the trading API");

    const client = await subscribed(sim);
    // A close is announced on the clock before it comes, as Alpaca's next_close names it all day.
    sim.control.setMarketOpen(false, 2_000);
    const announced = await get("/v2/clock");
    assert.equal(announced.body.is_open, true);
    assert.equal(announced.body.next_close, "2025-03-12T15:00:02-04:00");
    const beforeClose = client.of("t").length;
    sim.control.advance(1_000);
    await eventually(() => client.of("t").length > beforeClose, "trades until the announced close");
    sim.control.advance(1_100);
    const closed = await get("/v2/clock");
    assert.equal(closed.body.is_open, false);
    assert.equal(closed.body.next_open, "2025-03-13T09:30:00-04:00");
    assert.equal(closed.body.next_close, "2025-03-13T16:00:00-04:00");
    const before = client.of("t").length;
    sim.control.advance(5_000);
    assert.equal(client.of("t").length, before, "no trades while closed");
    sim.control.setMarketOpen(true);
    sim.control.advance(1_000);
    await eventually(() => client.of("t").length > before, "trades after the open");
    client.close();
    await client.closed();
  });

  test("GET /v2/calendar lists weekdays 09:30–16:00", async () => {
    const { status, body } = await get("/v2/calendar?start=2025-03-07&end=2025-03-12");
    assert.equal(status, 200);
    assert.deepEqual(
      body.map((d: { date: string }) => d.date),
      ["2025-03-07", "2025-03-10", "2025-03-11", "2025-03-12"],
    );
    assert.deepEqual(Object.keys(body[0]).sort(), [
      "close",
      "date",
      "open",
      "session_close",
      "session_open",
      "settlement_date",
    ]);
    assert.equal(body[0].close, "16:00");
  });

  test("halt: a trading-status message, then nothing for that symbol while others trade", async () => {
    const client = await subscribed(sim);
    await client.request({ action: "subscribe", statuses: ["AAPL"] });
    sim.control.setFault({ target: "alpaca", fault: "halt", symbol: "AAPL" });
    await eventually(() => client.of("s").find((m) => m.S === "AAPL" && m.sm === "Trading Halt"), "halt");
    const from = client.messages.length;
    sim.control.advance(5_000);
    await eventually(() => client.messages.slice(from).some((m) => m.T === "t" && m.S === "MSFT"), "MSFT");
    assert.ok(!client.messages.slice(from).some((m) => (m.T === "t" || m.T === "q") && m.S === "AAPL"));
    sim.control.clearFaults("alpaca");
    client.close();
    await client.closed();
  });

  test("drip: one data message every N seconds", async () => {
    const client = await subscribed(sim, ["*"]);
    sim.control.setFault({ target: "alpaca", fault: "drip", seconds: 2 });
    const from = client.messages.length;
    sim.control.advance(5_000);
    await eventually(() => client.messages.slice(from).filter((m) => m.T === "t").length >= 2, "drips");
    const trades = client.messages.slice(from).filter((m) => m.T === "t" || m.T === "q");
    assert.ok(trades.length <= 3, `${trades.length} messages in 5 s`);
    sim.control.clearFaults("alpaca");
    client.close();
    await client.closed();
  });

  test("upgrade-status: open sockets drop, upgrades answer the given status", async () => {
    const client = await subscribed(sim);
    sim.control.setFault({ target: "alpaca", fault: "upgrade-status", status: 404 });
    await client.closed();
    const ws = new WebSocket(`${sim.alpacaStreamUrl}/v2/iex`);
    const status = await new Promise<number>((resolve) =>
      ws.on("unexpected-response", (_r, res) => resolve(res.statusCode ?? 0)),
    );
    assert.equal(status, 404);
    sim.control.clearFaults("alpaca");
  });

  test("Yahoo html answers 200 with a page; hang never answers; trading down is 503", async () => {
    sim.control.setFault({ target: "yahoo", fault: "html" });
    const res = await fetch(`${sim.yahooBaseUrl}/v8/finance/chart/AAPL?range=1d&interval=1m`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /text\/html/);
    sim.control.clearFaults("yahoo");
    sim.control.setFault({ target: "yahoo", fault: "hang" });
    const hung = await fetch(`${sim.yahooBaseUrl}/v8/finance/chart/AAPL?range=1d&interval=1m`, {
      signal: AbortSignal.timeout(300),
    }).then(
      () => "answered",
      (error: Error) => error.name,
    );
    assert.equal(hung, "TimeoutError");
    sim.control.clearFaults("yahoo");
    sim.control.setFault({ target: "trading", fault: "down" });
    assert.equal((await get("/v2/clock")).status, 503);
    sim.control.clearFaults();
  });
});
