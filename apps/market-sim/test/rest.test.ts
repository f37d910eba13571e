import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { RunningSimulator } from "../src/index";
import { drained, KEY, startManual, StreamClient } from "./helpers";

interface RestBar {
  t: string;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  n: number;
  vw: number;
}

describe("Alpaca REST", () => {
  let sim: RunningSimulator;
  let client: StreamClient;
  const get = async (
    path: string,
    headers: Record<string, string> = KEY,
  ): Promise<{ status: number; body: any }> => {
    const res = await fetch(`${sim.alpacaDataUrl}${path}`, { headers });
    return { status: res.status, body: await res.json() };
  };
  before(async () => {
    sim = await startManual({ tradesPerSecond: 300, restRateLimitPerMinute: 1_000, correctionsPerMinute: 0 });
    client = await StreamClient.open(sim, "sip");
    await client.authenticate();
    await client.request({ action: "subscribe", bars: ["AAPL", "MSFT"] });
    sim.control.advance(5 * 60_000 + 1_000);
    await drained(sim, client);
  });
  after(() => sim.close());

  test("403 without key headers", async () => {
    const { status } = await get("/v2/stocks/bars?symbols=AAPL&timeframe=1Min", {});
    assert.equal(status, 403);
  });

  test("bars agree with the minute bars the stream sent", async () => {
    const start = new Date(sim.control.now() - 6 * 60_000).toISOString();
    const { status, body } = await get(`/v2/stocks/AAPL/bars?timeframe=1Min&start=${start}`);
    assert.equal(status, 200);
    assert.equal(body.symbol, "AAPL");
    const streamed = client.of("b").filter((b) => b.S === "AAPL");
    assert.equal(streamed.length, 5);
    for (const bar of streamed) {
      const rest = (body.bars as RestBar[]).find((b) => b.t === bar.t);
      assert.deepEqual(rest, {
        t: bar.t,
        o: bar.o,
        h: bar.h,
        l: bar.l,
        c: bar.c,
        v: bar.v,
        n: bar.n,
        vw: bar.vw,
      });
    }
  });

  test("multi-symbol pages are ordered by symbol then time, limit per page, next_page_token until null", async () => {
    const start = new Date(sim.control.now() - 60 * 60_000).toISOString();
    const seen: { symbol: string; t: string }[] = [];
    let token: string | null = null;
    let pages = 0;
    do {
      const query: string = `/v2/stocks/bars?symbols=MSFT,AAPL,NOPE&timeframe=1Min&start=${start}&limit=25${token ? `&page_token=${token}` : ""}`;
      const { status, body } = await get(query);
      assert.equal(status, 200);
      const count = Object.values(body.bars as Record<string, RestBar[]>).reduce(
        (n, list) => n + list.length,
        0,
      );
      assert.ok(count <= 25);
      for (const [symbol, list] of Object.entries(body.bars as Record<string, RestBar[]>))
        for (const b of list) seen.push({ symbol, t: b.t });
      token = body.next_page_token as string | null;
      pages++;
    } while (token !== null);
    assert.ok(pages >= 4);
    const sorted = [...seen].sort((a, b) =>
      a.symbol === b.symbol ? a.t.localeCompare(b.t) : a.symbol.localeCompare(b.symbol),
    );
    assert.deepEqual(seen, sorted);
    assert.equal(new Set(seen.map((s) => `${s.symbol}${s.t}`)).size, seen.length, "no bar twice");
    assert.ok(seen.some((s) => s.symbol === "AAPL") && seen.some((s) => s.symbol === "MSFT"));
    assert.ok(!seen.some((s) => s.symbol === "NOPE"));
  });

  test("aggregated timeframes and bad parameters", async () => {
    const start = new Date(sim.control.now() - 3 * 3_600_000).toISOString();
    const hourly = await get(`/v2/stocks/AAPL/bars?timeframe=1Hour&start=${start}`);
    assert.ok((hourly.body.bars as RestBar[]).every((b) => b.t.endsWith(":00:00Z")));
    assert.equal((await get("/v2/stocks/AAPL/bars?timeframe=7Week")).status, 400);
    assert.equal((await get("/v2/stocks/AAPL/bars?timeframe=1Min&limit=0")).status, 400);
    const empty = await get(
      "/v2/stocks/AAPL/bars?timeframe=1Min&start=2001-01-01T00:00:00Z&end=2001-01-02T00:00:00Z",
    );
    assert.deepEqual(empty.body, { bars: null, symbol: "AAPL", next_page_token: null });
  });

  test("snapshots and latest trades", async () => {
    const snaps = await get("/v2/stocks/snapshots?symbols=AAPL,NOPE");
    assert.deepEqual(Object.keys(snaps.body), ["AAPL"]);
    assert.deepEqual(Object.keys(snaps.body.AAPL).sort(), [
      "dailyBar",
      "latestQuote",
      "latestTrade",
      "minuteBar",
      "prevDailyBar",
    ]);
    const latest = await get("/v2/stocks/trades/latest?symbols=AAPL,MSFT");
    assert.deepEqual(Object.keys(latest.body.trades).sort(), ["AAPL", "MSFT"]);
    const single = await get("/v2/stocks/AAPL/trades/latest");
    assert.equal(single.body.symbol, "AAPL");
    assert.match(single.body.trade.t as string, /\.\d{9}Z$/);
    assert.deepEqual(single.body.trade, latest.body.trades.AAPL);
  });

  test("429 over the per-minute rate limit, with rate-limit headers", async () => {
    const limited = await startManual({ restRateLimitPerMinute: 3 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++)
        statuses.push((await fetch(`${limited.url}/v2/stocks/AAPL/trades/latest`, { headers: KEY })).status);
      assert.deepEqual(statuses, [200, 200, 200, 429]);
      limited.control.advance(60_000);
      const res = await fetch(`${limited.url}/v2/stocks/AAPL/trades/latest`, { headers: KEY });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("x-ratelimit-limit"), "3");
    } finally {
      await limited.close();
    }
  });
});
