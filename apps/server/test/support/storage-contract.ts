import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { DEFAULT_SYMBOLS, type Bar1m } from "@torghut/contracts";
import { seedSymbols, type Database } from "@torghut/db";
import { sampleTrades } from "../fixtures/sample-trades";
import {
  countTicks,
  insertSourceEvent,
  latestTicks,
  listRejections,
  listSourceEvents,
  queryTicks,
  recordRejections,
} from "../../src/store/repositories";
import { queryBars, rebuildBarsFromTicks, upsertBars } from "../../src/store/bars/minute-bars";
import { BarAggregator } from "../../src/store/bar-aggregator";
import { ManualClock } from "../../src/clock";
import { insertTicks } from "../../src/store/tick-insert";
import { TickWriter } from "../../src/store/tick-writer";

/** A live 1m bar with fixed OHLC around `close`. */
function minuteBar(symbol: string, minute: string, close: number): Bar1m {
  return {
    symbol,
    minute,
    open: 1,
    high: 3,
    low: 0.5,
    close,
    volume: 10,
    vwap: 1.75,
    tradeCount: 4,
    source: "alpaca",
    delayed: false,
  };
}

export interface StorageUnderTest {
  database: Database;
  dispose(): Promise<void>;
}

/**
 * What every storage engine must do the same way. Registered once per engine (PGlite always,
 * PostgreSQL when DATABASE_URL is set) so the two can never drift apart.
 */
export function storageContract(engine: string, open: () => Promise<StorageUnderTest>): void {
  describe(`storage contract: ${engine}`, () => {
    let storage: StorageUnderTest;
    let database: Database;

    before(async () => {
      storage = await open();
      database = storage.database;
    });
    after(() => storage.dispose());
    beforeEach(async () => {
      await database.query(
        "TRUNCATE ticks, bars_1m, bars_5m, bars_1h, bars_1d, source_events, validation_rejections, symbols",
      );
    });

    test("migrations are applied and re-applying them changes nothing", async () => {
      await database.migrate();
      const tables = await database.query<{ name: string }>(
        // Partitions of ticks (one per trading day) are not tables of their own in the schema.
        `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1`,
      );
      assert.deepEqual(
        tables.rows.map((r) => r.name),
        [
          "bars_1d",
          "bars_1h",
          "bars_1m",
          "bars_5m",
          "leader_leases",
          "source_events",
          "symbols",
          "ticks",
          "user_watchlists",
          "validation_rejections",
        ],
      );
    });

    test("seeds the 30 default symbols as STOCK, idempotently, and reactivates them", async () => {
      assert.equal(await seedSymbols(database), 30);
      await database.query("UPDATE symbols SET active = false WHERE symbol = 'AAPL'");
      await seedSymbols(database);
      const rows = await database.query<{ n: number; stocks: number; active: number }>(
        `SELECT count(*)::int AS n, count(*) FILTER (WHERE asset_class = 'STOCK')::int AS stocks,
                count(*) FILTER (WHERE active)::int AS active FROM symbols`,
      );
      assert.deepEqual(rows.rows[0], { n: DEFAULT_SYMBOLS.length, stocks: 30, active: 30 });
      await seedSymbols(database, ["BRK.B"]);
      const named = await database.query<{ name: string }>(`SELECT name FROM symbols WHERE symbol = 'BRK.B'`);
      assert.equal(named.rows[0]?.name, "BRK.B");
    });

    test("keeps the raw event time and orders trades within one millisecond by nanoseconds", async () => {
      const [a, b] = sampleTrades(2);
      const early = { ...a!, tradeId: "late-arrival", eventTime: "2026-01-05T15:00:00.000000900Z" };
      const later = {
        ...b!,
        symbol: early.symbol,
        tradeId: "first-arrival",
        eventTime: "2026-01-05T10:00:00.000000901-05:00",
      };
      const first = {
        ...b!,
        symbol: early.symbol,
        tradeId: "x",
        eventTime: "2026-01-05T15:00:00.000000001Z",
      };
      await insertTicks(database, [later, early, first]);
      const stored = await queryTicks(
        database,
        early.symbol,
        Date.UTC(2026, 0, 5, 15),
        Date.UTC(2026, 0, 5, 15, 1),
      );
      assert.deepEqual(
        stored.map((t) => t.eventTime),
        [
          "2026-01-05T15:00:00.000000001Z",
          "2026-01-05T15:00:00.000000900Z",
          "2026-01-05T10:00:00.000000901-05:00",
        ],
      );
      const ns = await database.query<{ ns: string }>(
        `SELECT event_ns::text AS ns FROM ticks ORDER BY event_ns`,
      );
      assert.deepEqual(
        ns.rows.map((r) => r.ns),
        ["1767625200000000001", "1767625200000000900", "1767625200000000901"],
      );
    });

    test("round-trips every trade field", async () => {
      const [trade] = sampleTrades(1);
      const full = {
        ...trade!,
        delayed: true,
        source: "yahoo" as const,
        conditions: ["@", "T", "I"],
        exchange: null,
        tape: null,
        suspicious: true,
      };
      await insertTicks(database, [full]);
      const [latest] = await latestTicks(database, [full.symbol]);
      assert.deepEqual(latest, full);
    });

    test("the same batch inserted twice is stored once", async () => {
      const batch = sampleTrades(500);
      assert.equal(await insertTicks(database, batch), 500);
      assert.equal(await insertTicks(database, batch), 0);
      assert.equal(await countTicks(database), 500);
    });

    test("a batch of 5,000 rows × 14 columns (over the 65,535-parameter limit) goes in one statement", async () => {
      assert.equal(await insertTicks(database, sampleTrades(5_000)), 5_000);
      assert.equal(await countTicks(database), 5_000);
    });

    test("the writer batches, and ticks sent twice are stored once", async () => {
      const writer = new TickWriter(database, { batchRows: 100, flushIntervalMs: 5 });
      const trades = sampleTrades(1_050);
      for (const trade of trades) writer.enqueue(trade);
      for (const trade of trades.slice(0, 300)) writer.enqueue({ ...trade });
      await writer.close();
      assert.equal(await countTicks(database), 1_050);
      const stats = writer.stats();
      assert.equal(stats.accepted, 1_350);
      assert.equal(stats.committed, 1_350);
      assert.equal(stats.queueDepth, 0);
      assert.equal(stats.dropped, 0);
      assert.ok(stats.lastCommitAt !== null && stats.commitLagMs !== null);
      assert.equal(writer.enqueue(trades[0]!), false, "a closed writer refuses");
    });

    test("the writer stores awkward strings exactly and drops only the row the database refuses", async () => {
      const writer = new TickWriter(database, { batchRows: 50, flushIntervalMs: 1 });
      assert.equal(writer.method, database.driver === "postgres" ? "copy" : "json");
      const awkward = sampleTrades(40).map((t, i) => ({
        ...t,
        tradeId: [`tab\there`, "new\nline", "back\\slash", 'quote"d', "\\N", "cr\r", "ünï©ødé"][i % 7]! + i,
        exchange: i % 5 === 0 ? null : "\\N",
        tape: i % 3 === 0 ? null : "",
        conditions: i % 4 === 0 ? [] : ['"', "\\", "a,b", "{x}", "NULL", "", " sp "],
      }));
      const refused = { ...sampleTrades(1, 40)[0]!, price: Number.NaN };
      for (const trade of [...awkward.slice(0, 20), refused, ...awkward.slice(20)]) writer.enqueue(trade);
      await writer.close();
      assert.deepEqual([writer.stats().committed, writer.stats().dropped], [40, 1]);
      const stored = await queryTicks(database, "AAPL", Date.UTC(2026, 0, 5), Date.UTC(2026, 0, 6), 100);
      const sent = awkward.filter((t) => t.symbol === "AAPL");
      assert.deepEqual(
        stored.map((t) => [t.tradeId, t.exchange, t.tape, t.conditions]),
        sent.map((t) => [t.tradeId, t.exchange, t.tape, t.conditions]),
      );
    });

    test("a tick whose time cannot be keyed (outside int8 nanoseconds) is dropped alone, never stalls the writer", async () => {
      const writer = new TickWriter(database, { batchRows: 50, flushIntervalMs: 1 });
      const trades = sampleTrades(30, 500);
      trades[10] = { ...trades[10]!, eventTime: "1600-01-01T00:00:00.000000000Z" };
      trades[20] = { ...trades[20]!, eventTime: "2262-04-11T23:47:16.854775808Z" };
      for (const trade of trades) writer.enqueue(trade);
      await writer.close();
      assert.deepEqual(
        [writer.stats().committed, writer.stats().dropped, writer.stats().queueDepth],
        [28, 2, 0],
      );
      assert.equal(writer.stats().lastError, null, "not mistaken for a database outage");
    });

    test("latest tick per symbol follows event time, not insertion order", async () => {
      const trades = sampleTrades(9);
      await insertTicks(database, trades.slice(3));
      await insertTicks(database, trades.slice(0, 3));
      const latest = await latestTicks(database, ["AAPL", "MSFT", "NVDA", "TSLA"]);
      assert.deepEqual(
        latest.map((t) => t.tradeId),
        ["t6", "t7", "t8"],
      );
    });

    test("bars upsert by (symbol, minute) and read back by range", async () => {
      const bar = (minute: string, close: number) => minuteBar("AAPL", minute, close);
      await upsertBars(database, [bar("2026-01-05T15:00:00.000Z", 2), bar("2026-01-05T15:01:00.000Z", 2.5)]);
      await upsertBars(database, [
        { ...bar("2026-01-05T15:00:00.000Z", 2.25), tradeCount: 5, source: "yahoo", delayed: true },
      ]);
      const bars = await queryBars(database, "AAPL", Date.UTC(2026, 0, 5, 15), Date.UTC(2026, 0, 5, 15, 2));
      assert.deepEqual(bars, [
        { ...bar("2026-01-05T15:00:00.000Z", 2.25), tradeCount: 5, source: "yahoo", delayed: true },
        bar("2026-01-05T15:01:00.000Z", 2.5),
      ]);
      assert.deepEqual(
        await queryBars(database, "AAPL", Date.UTC(2026, 0, 5, 15, 1), Date.UTC(2026, 0, 5, 15, 2)),
        [bars[1]],
      );
    });

    test("a transaction keeps all its statements, or none when its work throws", async () => {
      await database.query("CREATE TABLE tx_probe (n int)");
      try {
        const refused = new Error("work failed after its first statement");
        await assert.rejects(
          database.transaction(async (tx) => {
            await tx.query("INSERT INTO tx_probe VALUES (1)");
            throw refused;
          }),
          (error) => error === refused,
        );
        const kept = await database.transaction(async (tx) => {
          await tx.query("INSERT INTO tx_probe VALUES (2)");
          await tx.query("INSERT INTO tx_probe VALUES (3)");
          return (await tx.query<{ n: number }>("SELECT count(*)::int AS n FROM tx_probe")).rows[0]!.n;
        });
        assert.equal(kept, 2);
        const rows = await database.query<{ n: number }>("SELECT n FROM tx_probe ORDER BY n");
        assert.deepEqual(
          rows.rows.map((r) => r.n),
          [2, 3],
        );
      } finally {
        await database.query("DROP TABLE tx_probe");
      }
    });

    test("a bar write the database refuses half-way changes no table: 1m and its rollups land together", async () => {
      const bar = (close: number) => minuteBar("MSFT", "2026-01-05T15:07:00.000Z", close);
      const closes = async () => {
        const result = await database.query<{ t: string; close: number }>(
          `SELECT '1m' AS t, close FROM bars_1m WHERE symbol = 'MSFT'
           UNION ALL SELECT '5m', close FROM bars_5m WHERE symbol = 'MSFT'
           UNION ALL SELECT '1h', close FROM bars_1h WHERE symbol = 'MSFT'
           UNION ALL SELECT '1d', close FROM bars_1d WHERE symbol = 'MSFT' ORDER BY 1`,
        );
        return result.rows.map((r) => `${r.t} ${r.close}`);
      };
      await upsertBars(database, [bar(2)]);
      // The database refuses the daily rollup, from outside our code, as a full disk would (SQLSTATE
      // 53100) while the 1m, 5m and 1h writes before it succeed.
      await database.query(
        `CREATE FUNCTION refuse_daily_bar() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN RAISE EXCEPTION 'could not extend file' USING ERRCODE = '53100'; END $$`,
      );
      await database.query(
        "CREATE TRIGGER refuse_daily_bar BEFORE INSERT OR UPDATE ON bars_1d FOR EACH ROW EXECUTE FUNCTION refuse_daily_bar()",
      );
      try {
        await assert.rejects(upsertBars(database, [bar(2.5)]), /could not extend file/);
        assert.deepEqual(await closes(), ["1d 2", "1h 2", "1m 2", "5m 2"]);
      } finally {
        await database.query("DROP TRIGGER refuse_daily_bar ON bars_1d");
        await database.query("DROP FUNCTION refuse_daily_bar()");
      }
      // The caller's retry (the aggregator keeps the batch) then lands in every table.
      await upsertBars(database, [bar(2.5)]);
      assert.deepEqual(await closes(), ["1d 2.5", "1h 2.5", "1m 2.5", "5m 2.5"]);
    });

    test("bars rebuilt from stored ticks agree with the in-memory aggregator", async () => {
      const clock = new ManualClock(Date.UTC(2026, 0, 5, 15, 0));
      const aggregator = new BarAggregator(database, {}, clock);
      // 3,000 trades, 1 ms apart in ns steps of 1001: spans several minutes for three symbols.
      const trades = sampleTrades(3_000).map((t, i) => ({
        ...t,
        eventTime: new Date(Date.UTC(2026, 0, 5, 15, 0) + i * 97)
          .toISOString()
          .replace("Z", `${String(i % 1000).padStart(3, "0")}Z`),
        suspicious: i % 101 === 0,
        size: 1 + (i % 13),
      }));
      await insertTicks(database, trades);
      for (const trade of trades) aggregator.onTrade(trade);
      await aggregator.close();
      const live = await queryBars(database, "MSFT", Date.UTC(2026, 0, 5, 15), Date.UTC(2026, 0, 5, 16));
      const rebuilt = await rebuildBarsFromTicks(
        database,
        "MSFT",
        Date.UTC(2026, 0, 5, 15),
        Date.UTC(2026, 0, 5, 16),
      );
      assert.equal(live.length, 5);
      assert.equal(rebuilt.length, live.length);
      for (const [i, bar] of rebuilt.entries()) {
        const { vwap, ...rest } = bar;
        const { vwap: liveVwap, ...liveRest } = live[i]!;
        assert.deepEqual(rest, liveRest);
        assert.ok(Math.abs(vwap! - liveVwap!) < 1e-9, "VWAP equal up to summation order");
      }
    });

    test("source events list newest first", async () => {
      await insertSourceEvent(database, {
        at: 1_000,
        fromState: null,
        toState: "PRIMARY_ACTIVE",
        reason: "start",
        actor: "router",
      });
      const second = await insertSourceEvent(database, {
        at: 2_000,
        fromState: "PRIMARY_ACTIVE",
        toState: "FALLBACK_ACTIVE",
        reason: "alpaca silent for 10 s",
        actor: "router",
      });
      assert.equal(second.at, new Date(2_000).toISOString());
      const events = await listSourceEvents(database, 10);
      assert.deepEqual(
        events.map((e) => [e.fromState, e.toState]),
        [
          ["PRIMARY_ACTIVE", "FALLBACK_ACTIVE"],
          [null, "PRIMARY_ACTIVE"],
        ],
      );
    });

    test("rejected ticks are kept with their reason", async () => {
      await recordRejections(database, [
        {
          symbol: "AAPL",
          source: "alpaca",
          eventTime: "2026-01-05T15:00:00Z",
          reason: "non_positive_price",
          payload: { p: -1 },
        },
      ]);
      const [rejection] = await listRejections(database);
      assert.equal(rejection?.reason, "non_positive_price");
      assert.deepEqual(rejection?.payload, { p: -1 });
    });
  });
}
