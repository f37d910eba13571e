import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { barsResponseSchema, type Bar1m, type Trade } from "@torghut/contracts";
import { createDb, createTestDatabase, seedSymbols, type Database, type TestDatabase } from "@torghut/db";
import type { FastifyInstance } from "fastify";
import { ManualClock } from "../../src/clock";
import type { IntervalBar } from "../../src/store/bars/interval-bars";
import { createHttpServer } from "../../src/http/server";
import { registerTaRoutes } from "../../src/http/ta/routes";
import { createLogger } from "../../src/logger";
import { upsertBars } from "../../src/store/bars/minute-bars";

const T0 = Date.UTC(2026, 0, 5, 15, 0); // 10:00 New York
const minute = (i: number) => new Date(T0 + i * 60_000).toISOString();

/** Minutes 6 and 7 came from the delayed fallback (a failover and back). */
function bar(i: number, close: number, volume = 100): Bar1m {
  const fallback = i === 6 || i === 7;
  return {
    symbol: "AAPL",
    minute: minute(i),
    open: close - 0.5,
    high: close + 1,
    low: close - 1,
    close,
    volume,
    vwap: close,
    tradeCount: 10,
    source: fallback ? "yahoo" : "alpaca",
    delayed: fallback,
  };
}

/** The objects answer as the columns answer should carry it. */
function toColumns(bars: IntervalBar[]) {
  const provenance: { start: number; source: string; delayed: boolean }[] = [];
  bars.forEach((b, i) => {
    const last = provenance.at(-1);
    if (last?.source !== b.source || last.delayed !== b.delayed)
      provenance.push({ start: i, source: b.source, delayed: b.delayed });
  });
  return {
    time: bars.map((b) => Date.parse(b.time) / 1000),
    open: bars.map((b) => b.open),
    high: bars.map((b) => b.high),
    low: bars.map((b) => b.low),
    close: bars.map((b) => b.close),
    volume: bars.map((b) => b.volume),
    provenance,
  };
}

const engines: { name: string; open(): Promise<{ database: Database; drop?: TestDatabase }> }[] = [
  { name: "PGlite", open: async () => ({ database: await createDb({ inMemory: true }) }) },
];
const serverUrl = process.env.DATABASE_URL;
if (serverUrl !== undefined)
  engines.push({
    name: "PostgreSQL",
    open: async () => {
      const drop = await createTestDatabase(serverUrl);
      return { database: await createDb({ url: drop.url }), drop };
    },
  });

for (const engine of engines)
  describe(`TA API over ${engine.name}`, () => {
    let database: Database;
    let testDatabase: TestDatabase | undefined;
    let app: FastifyInstance;
    let base: string;
    const clock = new ManualClock(T0 + 20 * 60_000);
    const live = new Map<string, Trade>();

    before(async () => {
      ({ database, drop: testDatabase } = await engine.open());
      await seedSymbols(database, ["AAPL", "MSFT"]);
      // closes 1..10 at minutes 0..9, volumes 100..1000
      await upsertBars(
        database,
        Array.from({ length: 10 }, (_, i) => bar(i, i + 1, (i + 1) * 100)),
      );
      app = createHttpServer({ logger: createLogger("silent") });
      registerTaRoutes(app, { database, clock, livePrice: (s) => live.get(s) });
      base = await app.listen({ port: 0, host: "127.0.0.1" });
    });
    after(async () => {
      await app.close();
      await database.close();
      await testDatabase?.drop();
    });

    const get = async (path: string) => {
      const res = await fetch(base + path);
      return { status: res.status, body: (await res.json()) as Record<string, any> };
    };

    test("1m bars come back in time order with provenance", async () => {
      const { status, body } = await get(
        `/api/torghut/ta/bars?symbol=aapl&interval=1m&from=${T0}&to=${T0 + 3_600_000}`,
      );
      assert.equal(status, 200);
      assert.equal(body.symbol, "AAPL");
      assert.equal(body.bars.length, 10);
      assert.deepEqual(body.bars[0], {
        time: minute(0),
        open: 0.5,
        high: 2,
        low: 0,
        close: 1,
        volume: 100,
        vwap: 1,
        tradeCount: 10,
        source: "alpaca",
        delayed: false,
      });
    });

    test("the objects answer is the contract's JSON, byte for byte what JSON.stringify writes", async () => {
      const res = await fetch(
        `${base}/api/torghut/ta/bars?symbol=AAPL&interval=1m&from=${T0}&to=${T0 + 3_600_000}`,
      );
      assert.equal(res.headers.get("content-type"), "application/json; charset=utf-8");
      const text = await res.text();
      const body = JSON.parse(text) as Record<string, unknown>;
      assert.equal(text, JSON.stringify(body));
      assert.deepEqual(Object.keys(body), ["symbol", "interval", "from", "to", "bars"]);
      assert.equal(barsResponseSchema.parse(body).bars.length, 10);
    });

    test("5m bars are aggregated in SQL: first open, max high, min low, last close, volume-weighted vwap", async () => {
      const { body } = await get(
        `/api/torghut/ta/bars?symbol=AAPL&interval=5m&from=${minute(0)}&to=${minute(60)}`,
      );
      assert.equal(body.bars.length, 2);
      const [first] = body.bars;
      // minutes 0..4: closes 1..5, volumes 100..500
      assert.equal(first.time, minute(0));
      assert.equal(first.open, 0.5);
      assert.equal(first.high, 6);
      assert.equal(first.low, 0);
      assert.equal(first.close, 5);
      assert.equal(first.volume, 1500);
      assert.ok(Math.abs(first.vwap - (1 * 100 + 2 * 200 + 3 * 300 + 4 * 400 + 5 * 500) / 1500) < 1e-9);
      assert.equal(first.tradeCount, 50);
    });

    test("a daily bar is the New York trading day", async () => {
      const { body } = await get(
        `/api/torghut/ta/bars?symbol=AAPL&interval=1d&from=${T0 - 86_400_000}&to=${T0 + 86_400_000}`,
      );
      assert.equal(body.bars.length, 1);
      assert.equal(body.bars[0].time, "2026-01-05T05:00:00.000Z"); // midnight in New York (EST)
      assert.equal(body.bars[0].close, 10);
    });

    test("signals: EMA(3) matches the hand-computed series, warm-up points left out", async () => {
      const { status, body } = await get(
        `/api/torghut/ta/signals?symbol=AAPL&interval=1m&from=${T0}&to=${T0 + 600_000}&indicators=ema:3,rsi`,
      );
      assert.equal(status, 200);
      const ema = body.indicators.find((s: { kind: string }) => s.kind === "ema");
      // closes 1..10: SMA(1,2,3) = 2 seeds, then k = 0.5 → 3, 4, … 9
      assert.deepEqual(
        ema.points.map((p: { value: number }) => p.value),
        [2, 3, 4, 5, 6, 7, 8, 9],
      );
      assert.equal(ema.points[0].time, minute(2));
      const rsi = body.indicators.find((s: { kind: string }) => s.kind === "rsi");
      assert.deepEqual(rsi.points, [], "RSI(14) needs 15 closes");
    });

    test("latest: the live price wins over the stored one, with lag from event time", async () => {
      live.set("AAPL", {
        kind: "trade",
        symbol: "AAPL",
        price: 187.25,
        size: 10,
        eventTime: new Date(clock.now() - 1500).toISOString(),
        receivedAt: clock.now() - 1400,
        source: "yahoo",
        delayed: true,
        tradeId: "y1",
        exchange: null,
        conditions: [],
        tape: null,
        suspicious: false,
      });
      const { body } = await get(`/api/torghut/ta/latest?symbol=AAPL`);
      assert.equal(body.price, 187.25);
      assert.equal(body.lagMs, 1500);
      assert.equal(body.source, "yahoo");
      assert.equal(body.delayed, true);
      assert.equal(body.live, true);
    });

    for (const interval of ["1m", "5m", "1d"])
      test(`format=columns: the objects answer as one array per field, provenance in runs (${interval})`, async () => {
        const range = `symbol=AAPL&interval=${interval}&from=${T0 - 86_400_000}&to=${T0 + 86_400_000}`;
        const objects = await get(`/api/torghut/ta/bars?${range}`);
        const columns = await get(`/api/torghut/ta/bars?${range}&format=columns`);
        assert.equal(columns.status, 200);
        assert.ok(objects.body.bars.length > 0);
        const { symbol, interval: answered, from, to, format, ...arrays } = columns.body;
        const { bars, ...head } = objects.body;
        assert.deepEqual({ symbol, interval: answered, from, to, format }, { ...head, format: "columns" });
        assert.deepEqual(arrays, toColumns(bars));
      });

    test("format=columns: the fallback's minutes are their own provenance run", async () => {
      const { body } = await get(
        `/api/torghut/ta/bars?symbol=AAPL&interval=1m&from=${T0}&to=${T0 + 3_600_000}&format=columns`,
      );
      assert.deepEqual(body.provenance, [
        { start: 0, source: "alpaca", delayed: false },
        { start: 6, source: "yahoo", delayed: true },
        { start: 8, source: "alpaca", delayed: false },
      ]);
      assert.equal(body.time[1] - body.time[0], 60);
      assert.equal(body.time[0], T0 / 1000);
    });

    test("format=columns with no data: empty arrays", async () => {
      const { status, body } = await get(`/api/torghut/ta/bars?symbol=MSFT&interval=5m&format=columns`);
      assert.equal(status, 200);
      for (const field of ["time", "open", "high", "low", "close", "volume", "provenance"])
        assert.deepEqual(body[field], [], field);
    });

    test("no data: an empty list, not an error", async () => {
      const { status, body } = await get(`/api/torghut/ta/bars?symbol=MSFT&interval=1m`);
      assert.equal(status, 200);
      assert.deepEqual(body.bars, []);
      const latest = await get(`/api/torghut/ta/latest?symbol=MSFT`);
      assert.equal(latest.body.price, null);
    });

    test("bad input is a clear 400, unknown symbol a 404", async () => {
      const cases: [string, number, RegExp][] = [
        ["/api/torghut/ta/bars?symbol=NOPE", 404, /Unknown symbol NOPE/],
        ["/api/torghut/ta/bars?symbol=$$$", 400, /symbol/],
        ["/api/torghut/ta/bars?symbol=AAPL&interval=7m", 400, /interval/],
        [`/api/torghut/ta/bars?symbol=AAPL&from=${T0}&to=${T0 - 1}`, 400, /from must be earlier/],
        [
          `/api/torghut/ta/bars?symbol=AAPL&interval=1m&from=${T0 - 30 * 86_400_000}&to=${T0}`,
          400,
          /range too long/,
        ],
        ["/api/torghut/ta/bars?symbol=AAPL&from=yesterday", 400, /ISO-8601/],
        ["/api/torghut/ta/bars?symbol=AAPL&colour=red", 400, /colour|Unrecognized/i],
        ["/api/torghut/ta/bars?symbol=AAPL&format=csv", 400, /format: must be objects or columns/],
        ["/api/torghut/ta/signals?symbol=AAPL&format=columns", 400, /format|Unrecognized/i],
        ["/api/torghut/ta/signals?symbol=AAPL&indicators=ema:0", 400, /period|ema/i],
        ["/api/torghut/ta/signals?symbol=AAPL&indicators=stochastic", 400, /stochastic|unknown/i],
        ["/api/torghut/ta/latest", 400, /symbol/],
      ];
      for (const [path, status, message] of cases) {
        const res = await get(path);
        assert.equal(res.status, status, path);
        assert.match(res.body.message, message, path);
        assert.doesNotMatch(JSON.stringify(res.body), /\.ts:\d+:\d+|node_modules/, "no stack traces");
      }
    });
  });
