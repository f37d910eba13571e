import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Bar1m } from "@torghut/contracts";
import { createDb, type Database } from "@torghut/db";
import { startSimulator, type RunningSimulator } from "@torghut/market-sim";
import { pino } from "pino";
import { eventually } from "@torghut/testing";
import { ManualClock, systemClock } from "../clock";
import { startFailoverHarness, HARNESS_SYMBOLS } from "../../test/support/failover-harness";
import { AlpacaRestClient, staticCredentials } from "../sources/alpaca";
import { YahooClient } from "../sources/yahoo/client";
import { upsertBars } from "../store/bars/minute-bars";
import { alpacaBarsFetcher } from "./alpaca-bars";
import { GapBackfiller } from "./gap-backfiller";
import { YahooBarsFetcher } from "./yahoo-bars";

const MINUTE = 60_000;
const floorMinute = (ms: number) => ms - (ms % MINUTE);
const logger = pino({ level: "silent" });

describe("gap backfill (simulator REST + PGlite)", () => {
  let sim: RunningSimulator;
  let db: Database;
  let rest: AlpacaRestClient;
  before(async () => {
    sim = await startSimulator({
      port: 0,
      seed: 5,
      symbols: HARNESS_SYMBOLS,
      tradesPerSecond: 200,
      staleSessionMs: 300,
    });
    db = await createDb({ inMemory: true });
    rest = new AlpacaRestClient({
      dataUrl: sim.alpacaDataUrl,
      credentials: staticCredentials({ keyId: "sim-key", secretKey: "sim-secret" }),
      maxRetries: 1,
      retryBaseDelayMs: 10,
      pageLimit: 7, // force pagination
    });
  });
  after(async () => {
    await db.close();
    await sim.close();
  });

  function backfiller() {
    return new GapBackfiller({
      primary: alpacaBarsFetcher(rest),
      fallback: new YahooBarsFetcher(new YahooClient({ baseUrl: sim.yahooBaseUrl, logger })),
      sink: { upsertBars: (bars) => upsertBars(db, bars) },
      symbols: () => HARNESS_SYMBOLS,
      clock: systemClock,
      logger,
      trailingSettleMs: 0,
    });
  }

  async function stored(
    startMs: number,
    endMs: number,
  ): Promise<{ symbol: string; minute: string; source: string; close: number; delayed: boolean }[]> {
    const result = await db.query<{
      symbol: string;
      minute: Date;
      source: string;
      close: number;
      delayed: boolean;
    }>(
      `SELECT symbol, minute, source, close, delayed FROM bars_1m WHERE minute >= $1 AND minute < $2 ORDER BY symbol, minute`,
      [new Date(startMs).toISOString(), new Date(endMs).toISOString()],
    );
    return result.rows.map((r) => ({ ...r, minute: new Date(r.minute).toISOString() }));
  }

  const key = (b: { symbol: string; minute: string }) => `${b.symbol}@${Date.parse(b.minute)}`;

  test("replaces Yahoo-derived bars, leaves no missing minute and no duplicate", async () => {
    const now = Date.now();
    const start = floorMinute(now) - 12 * MINUTE;
    const complete = floorMinute(now);
    // What the pipeline wrote from Yahoo ticks during the outage: wrong-ish, delayed, source yahoo.
    const yahooDerived: Bar1m[] = [];
    for (let t = start; t < complete; t += MINUTE) {
      yahooDerived.push({
        symbol: "AAPL",
        minute: new Date(t).toISOString(),
        open: 1,
        high: 1,
        low: 1,
        close: 1,
        volume: 0,
        vwap: null,
        tradeCount: 1,
        source: "yahoo",
        delayed: true,
      });
    }
    await upsertBars(db, yahooDerived);

    const filler = backfiller();
    const report = await filler.handle({ startMs: start + 17_000, endMs: now, cause: "failback" });
    const again = await filler.handle({ startMs: start + 17_000, endMs: now, cause: "reconnect" });
    await filler.stop();
    assert.equal(report.via, "alpaca-rest");
    assert.equal(report.error, null);
    assert.equal(report.startMs, start);
    assert.ok(report.minutesBackfilled >= 12, `minutes backfilled: ${report.minutesBackfilled}`);
    assert.equal(again.barsWritten, report.barsWritten);

    const truth = await rest.fetchBars(HARNESS_SYMBOLS, new Date(start), new Date(complete - 1));
    const rows = await stored(start, complete);
    const storedKeys = new Set(rows.map(key));
    const missing = truth.filter((b) => !storedKeys.has(key(b)));
    assert.deepEqual(missing.map(key), [], "no missing minute for any symbol that traded");
    assert.equal(storedKeys.size, rows.length, "no duplicate (symbol, minute)");
    const dup = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT symbol, minute FROM bars_1m GROUP BY 1, 2 HAVING count(*) > 1) d`,
    );
    assert.equal(dup.rows[0]!.n, 0);
    const aapl = rows.filter((r) => r.symbol === "AAPL");
    const truthAapl = new Map(
      truth.filter((b) => b.symbol === "AAPL").map((b) => [Date.parse(b.minute), b.close]),
    );
    for (const r of aapl) {
      if (!truthAapl.has(Date.parse(r.minute))) continue;
      assert.equal(r.source, "backfill");
      assert.equal(r.delayed, false);
      assert.equal(r.close, truthAapl.get(Date.parse(r.minute)));
    }
  });

  test("the minute in which the gap closed is fetched again once it is over (trailing pass)", async () => {
    const clock = new ManualClock(Date.now());
    const filler = new GapBackfiller({
      primary: alpacaBarsFetcher(rest),
      sink: { upsertBars: (bars) => upsertBars(db, bars) },
      symbols: () => HARNESS_SYMBOLS,
      clock,
      logger,
      trailingSettleMs: 2_000,
    });
    const endMs = clock.now() - 3 * MINUTE;
    await filler.handle({ startMs: endMs - 2 * MINUTE, endMs, cause: "reconnect" });
    assert.equal(filler.recentReports().length, 1, "trailing pass waits for its minute to end");
    clock.advance(1);
    await eventually(() => filler.recentReports().length === 2, "trailing pass", 5_000);
    const trailing = filler.recentReports()[0]!;
    assert.equal(trailing.cause, "trailing");
    assert.equal(trailing.startMs, floorMinute(endMs));
    assert.equal(trailing.endMs - trailing.startMs, MINUTE);
    assert.equal(trailing.minutesBackfilled, 1);
    await filler.stop();
  });

  test("Alpaca REST down → Yahoo 1m chart, marked delayed", async () => {
    const now = Date.now();
    const start = floorMinute(now) - 40 * MINUTE;
    sim.control.setFault({ target: "rest", fault: "down" });
    try {
      const filler = backfiller();
      const report = await filler.handle({ startMs: start, endMs: start + 5 * MINUTE, cause: "failback" });
      await filler.stop();
      assert.equal(report.via, "yahoo-chart");
      assert.match(report.error ?? "", /Alpaca REST/);
      assert.ok(report.minutesBackfilled >= 4);
      const rows = await stored(start, start + 5 * MINUTE);
      assert.ok(rows.length > 0);
      assert.ok(rows.every((r) => r.delayed && r.source === "backfill"));
    } finally {
      sim.control.clearFaults("rest");
    }
  });

  test("the router's failback gap reaches the backfiller", async () => {
    const h = await startFailoverHarness({ sim });
    const filler = backfiller();
    const reports: Awaited<ReturnType<GapBackfiller["handle"]>>[] = [];
    h.router.onGap((gap) => void filler.handle(gap).then((r) => reports.push(r)));
    try {
      await eventually(
        () => h.router.currentState === "PRIMARY_ACTIVE" && h.alpaca.health().healthy,
        "primary up",
        10_000,
      );
      await eventually(() => h.router.snapshot().primary.lastDataAt !== null, "primary data", 10_000);
      h.sim.control.setFault({ target: "alpaca", fault: "drop" });
      await eventually(() => h.router.currentState === "FALLBACK_ACTIVE", "failover", 10_000);
      h.sim.control.clearFaults("alpaca");
      await eventually(() => reports.find((r) => r.cause === "failback"), "failback backfill report", 10_000);
      const report = reports.find((r) => r.cause === "failback")!;
      assert.equal(report.via, "alpaca-rest");
      assert.equal(report.error, null);
      assert.ok(report.endMs - report.startMs >= MINUTE);
    } finally {
      await h.close();
      await filler.stop();
    }
  });
});
