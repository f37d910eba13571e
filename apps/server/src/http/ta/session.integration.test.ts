import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { nyDate, sessionSummariesResponseSchema, type Bar1m, type Trade } from "@torghut/contracts";
import { createDb, type Database } from "@torghut/db";
import { startSimulator, type RunningSimulator } from "@torghut/market-sim";
import { pino } from "pino";
import { systemClock } from "../../clock";
import { alpacaDailyCloses, yahooSessionClose } from "../../compose/previous-closes";
import { nyInstant } from "../../market-hours/ny-time";
import { AlpacaRestClient, staticCredentials } from "../../sources/alpaca";
import { YahooClient } from "../../sources/yahoo/client";
import { upsertBars } from "../../store/bars/minute-bars";
import { createHttpServer } from "../server";
import { PreviousCloseBook } from "./previous-close";
import { registerTaRoutes } from "./routes";

const logger = pino({ level: "silent" });
const MINUTE = 60_000;
const liveMsft: Trade = {
  kind: "trade",
  symbol: "MSFT",
  price: 412.5,
  size: 3,
  eventTime: new Date().toISOString(),
  receivedAt: Date.now(),
  source: "yahoo",
  delayed: true,
  tradeId: "t1",
  exchange: null,
  conditions: [],
  tape: null,
  suspicious: false,
};

function bar(symbol: string, ms: number, close: number, volume = 100): Bar1m {
  return {
    symbol,
    minute: new Date(ms - (ms % MINUTE)).toISOString(),
    open: close - 1,
    high: close + 2,
    low: close - 3,
    close,
    volume,
    vwap: null,
    tradeCount: 1,
    source: "alpaca",
    delayed: false,
  };
}

describe("GET /api/torghut/ta/session (simulator REST + PGlite)", () => {
  let sim: RunningSimulator;
  let db: Database;
  const today = nyDate(Date.now());
  const sessionStart = nyInstant(today, 0, 0);

  before(async () => {
    sim = await startSimulator({ port: 0, seed: 7, symbols: ["AAPL", "MSFT"], tradesPerSecond: 20 });
    db = await createDb({ inMemory: true });
    // AAPL: a bar yesterday (the stored previous close) and three today, 6 minutes apart.
    await upsertBars(db, [
      bar("AAPL", sessionStart - 3 * 3_600_000, 90),
      bar("AAPL", sessionStart + 60 * MINUTE, 100, 10),
      bar("AAPL", sessionStart + 66 * MINUTE, 104, 20),
      bar("AAPL", sessionStart + 72 * MINUTE, 102, 30),
    ]);
  });
  after(async () => {
    await db.close();
    await sim.close();
  });

  function app(answerWithinMs = 5_000) {
    const rest = new AlpacaRestClient({
      dataUrl: sim.alpacaDataUrl,
      credentials: staticCredentials({ keyId: "sim-key", secretKey: "sim-secret" }),
      maxRetries: 0,
    });
    const book = new PreviousCloseBook({
      clock: systemClock,
      logger,
      answerWithinMs,
      sources: {
        alpaca: alpacaDailyCloses(rest),
        yahoo: yahooSessionClose(new YahooClient({ baseUrl: sim.yahooBaseUrl, logger })),
      },
    });
    const server = createHttpServer({ logger });
    registerTaRoutes(server, {
      database: db,
      clock: systemClock,
      livePrice: (symbol) => (symbol === "MSFT" ? liveMsft : undefined),
      previousCloses: book,
    });
    return server;
  }

  async function summaries(server: ReturnType<typeof app>, symbols = "AAPL,MSFT") {
    const response = await server.inject({ url: `/api/torghut/ta/session?symbols=${symbols}` });
    assert.equal(response.statusCode, 200, response.body);
    return sessionSummariesResponseSchema.parse(response.json()).summaries;
  }

  /** What the venue itself says, read off the wire: Alpaca's previous daily bar close. */
  async function alpacaPrevClose(symbol: string): Promise<number> {
    const response = await fetch(`${sim.alpacaDataUrl}/v2/stocks/${symbol}/snapshot`, {
      headers: { "APCA-API-KEY-ID": "sim-key", "APCA-API-SECRET-KEY": "sim-secret" },
    });
    const body = (await response.json()) as { prevDailyBar: { c: number } };
    return body.prevDailyBar.c;
  }

  test("previous close from Alpaca's snapshot; open/high/low/volume and 5-minute sparkline from stored bars", async () => {
    const server = app();
    const [aapl, msft] = await summaries(server);
    assert.equal(aapl!.previousCloseOrigin, "alpaca");
    assert.equal(aapl!.previousClose, await alpacaPrevClose("AAPL"));
    assert.equal(aapl!.session, today);
    assert.deepEqual([aapl!.open, aapl!.high, aapl!.low, aapl!.volume], [99, 106, 97, 60]);
    // The figures run through the newest stored minute: a client adds live minutes after it.
    assert.equal(aapl!.lastMinute, new Date(sessionStart + 72 * MINUTE).toISOString());
    // 60 and 66 min fall in different 5-minute buckets, as do 66 and 72: three points.
    assert.deepEqual(aapl!.sparkline, [100, 104, 102]);
    // No stored bars: no day figures, yet the previous close is known (Alpaca's).
    assert.equal(msft!.session, null);
    assert.equal(msft!.volume, null);
    assert.equal(msft!.lastMinute, null);
    assert.deepEqual(msft!.sparkline, []);
    // Nothing traded in this database and nothing live: no last price (never a made-up 0).
    assert.equal(aapl!.last, null);
    assert.equal(msft!.previousClose, await alpacaPrevClose("MSFT"));
    assert.deepEqual(msft!.last, {
      price: 412.5,
      size: 3,
      eventTime: liveMsft.eventTime,
      source: "yahoo",
      delayed: true,
    });
    await server.close();
  });

  test("Alpaca REST down → Yahoo's previous close (the same figure), marked yahoo", async () => {
    sim.control.setFault({ target: "rest", fault: "down" });
    try {
      const server = app();
      const [aapl] = await summaries(server, "AAPL");
      sim.control.clearFaults("rest");
      assert.equal(aapl!.previousCloseOrigin, "yahoo");
      assert.equal(aapl!.previousClose, await alpacaPrevClose("AAPL"));
      await server.close();
    } finally {
      sim.control.clearFaults("rest");
    }
  });

  test("both venues down → the last stored close before the session, or null; answered within the deadline", async () => {
    sim.control.setFault({ target: "rest", fault: "down" });
    sim.control.setFault({ target: "yahoo", fault: "down" });
    try {
      const server = app(300);
      const [aapl, msft] = await summaries(server);
      assert.equal(aapl!.previousCloseOrigin, "stored");
      assert.equal(aapl!.previousClose, 90);
      assert.equal(msft!.previousClose, null);
      assert.equal(msft!.previousCloseOrigin, null);
      await server.close();
    } finally {
      sim.control.clearFaults();
    }
  });

  test("bad symbol lists are a 400 naming the problem", async () => {
    const server = app();
    for (const [query, message] of [
      ["symbols=", /at least one symbol/],
      ["symbols=AAPL,a$b", /symbol must be/],
      ["", /symbols/],
    ] as const) {
      const response = await server.inject({ url: `/api/torghut/ta/session?${query}` });
      assert.equal(response.statusCode, 400, query);
      assert.match(response.json<{ message: string }>().message, message);
    }
    await server.close();
  });
});
