import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { createDb, type Database } from "@torghut/db";
import { ManualClock } from "../clock";
import { sampleTrades } from "../../test/fixtures/sample-trades";
import { openProxiedDatabase, type ProxiedDatabase } from "../../test/fixtures/proxied-database";
import { eventually, TcpProxy } from "@torghut/testing";
import { writerDroppedTicks } from "./metrics";
import { countTicks } from "./repositories";
import { TickWriter } from "./tick-writer";

/** Lets pending I/O callbacks and immediates run, without waiting on wall-clock time. */
const turns = async (n = 5) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe("TickWriter on PGlite", () => {
  let database: Database;
  before(async () => {
    database = await createDb({ inMemory: true });
  });
  after(() => database.close());
  beforeEach(() => database.query("TRUNCATE ticks"));

  test("a full batch leaves at once, a partial one only when the flush timer fires", async () => {
    const clock = new ManualClock();
    const writer = new TickWriter(database, { batchRows: 4, flushIntervalMs: 50 }, clock);
    const trades = sampleTrades(5);
    for (const trade of trades.slice(0, 3)) writer.enqueue(trade);
    await turns();
    assert.equal(writer.stats().committed, 0);
    for (const trade of trades.slice(3)) writer.enqueue(trade);
    await eventually(() => writer.stats().committed === 4, "the full batch", 20_000);
    await turns();
    assert.deepEqual(
      [writer.stats().committed, writer.stats().queueDepth, await countTicks(database)],
      [4, 1, 4],
    );
    clock.advance(50);
    await eventually(() => writer.stats().committed === 5, "the timed flush", 20_000);
    assert.equal(await countTicks(database), 5);
    await writer.close();
  });

  test("a tick the database refuses costs only itself; one without a valid time is dropped and counted", async () => {
    const writer = new TickWriter(database, { batchRows: 64, flushIntervalMs: 1 });
    const trades = sampleTrades(100);
    trades[37] = { ...trades[37]!, price: Number.NaN }; // serialises as null: NOT NULL violation
    trades[80] = { ...trades[80]!, eventTime: "yesterday" };
    for (const trade of trades) writer.enqueue(trade);
    await writer.flush();
    assert.equal(await countTicks(database), 98);
    assert.deepEqual(
      [writer.stats().committed, writer.stats().dropped, writer.stats().queueDepth],
      [98, 2, 0],
    );
    await writer.close();
  });
});

describe("TickWriter without a database", () => {
  const proxy = new TcpProxy("127.0.0.1", 9); // nothing is ever forwarded: every connection is reset
  let database: Database;
  before(async () => {
    await proxy.start();
    proxy.cut();
    database = await createDb({ url: `postgres://postgres@127.0.0.1:${proxy.port}/none`, migrate: false });
  });
  after(async () => {
    await database.close();
    await proxy.close();
  });

  test("holds ticks up to the bound, counts drops beyond it, retries with backoff and never throws", async () => {
    const clock = new ManualClock();
    const writer = new TickWriter(
      database,
      { bufferMaxTicks: 100, flushIntervalMs: 10, retryBaseMs: 100 },
      clock,
    );
    const droppedBefore =
      (await writerDroppedTicks.get()).values.find((v) => v.labels.reason === "buffer_full")?.value ?? 0;
    const results = sampleTrades(150).map((trade) => writer.enqueue(trade));
    assert.equal(results.filter(Boolean).length, 100);
    assert.deepEqual(results.slice(98, 102), [true, true, false, false]);
    clock.advance(10);
    await eventually(() => writer.stats().consecutiveFailures === 1, "the first failed attempt", 20_000);
    clock.advance(200); // past the first backoff (100 ms ± 20 %)
    await eventually(() => writer.stats().consecutiveFailures === 2, "the retry", 20_000);
    const stats = writer.stats();
    assert.deepEqual([stats.queueDepth, stats.dropped, stats.committed], [100, 50, 0]);
    assert.match(stats.lastError ?? "", /tick batch insert failed/);
    const droppedAfter =
      (await writerDroppedTicks.get()).values.find((v) => v.labels.reason === "buffer_full")?.value ?? 0;
    assert.equal(droppedAfter - droppedBefore, 50);
    const closing = writer.close({ timeoutMs: 1_000 });
    clock.advance(1_000);
    await closing; // gives up instead of hanging the shutdown
    assert.equal(clock.pendingTimers(), 0, "an abandoned writer retries no more");
  });
});

const serverUrl = process.env.DATABASE_URL;
if (serverUrl) {
  describe("TickWriter on PostgreSQL through an outage", () => {
    let scratch: ProxiedDatabase;
    let proxy: TcpProxy;
    let direct: Database;
    let proxied: Database;
    before(async () => {
      scratch = await openProxiedDatabase(serverUrl);
      ({ proxy, direct, proxied } = scratch);
    });
    after(() => scratch.close());

    test("connections cut, then back: every tick stored exactly once", async () => {
      const writer = new TickWriter(proxied, {
        batchRows: 500,
        flushIntervalMs: 5,
        retryBaseMs: 10,
        retryMaxMs: 100,
      });
      const trades = sampleTrades(6_000);
      for (const trade of trades.slice(0, 2_000)) writer.enqueue(trade);
      await writer.flush();
      assert.equal(await countTicks(direct), 2_000);

      proxy.cut();
      for (const trade of trades.slice(2_000, 5_000)) writer.enqueue(trade);
      // A source replaying after its own reconnect sends some of the same prints again.
      for (const trade of trades.slice(1_500, 2_500)) writer.enqueue({ ...trade });
      await eventually(() => writer.stats().consecutiveFailures >= 3, "several failed attempts", 20_000);
      assert.equal(await countTicks(direct), 2_000);
      assert.ok(writer.stats().queueDepth > 0);

      proxy.restore();
      for (const trade of trades.slice(5_000)) writer.enqueue(trade);
      await writer.flush();
      const stored = await direct.query<{ n: number; distinct: number }>(
        `SELECT count(*)::int AS n, count(DISTINCT trade_id)::int AS distinct FROM ticks`,
      );
      assert.deepEqual(stored.rows[0], { n: 6_000, distinct: 6_000 });
      assert.equal(writer.stats().consecutiveFailures, 0);
      assert.equal(writer.stats().dropped, 0);
      await writer.close();
    });

    test("connections cut while batches are in flight: nothing lost, nothing doubled", async () => {
      await direct.query("TRUNCATE ticks");
      const writer = new TickWriter(proxied, {
        batchRows: 1_000,
        flushIntervalMs: 5,
        retryBaseMs: 10,
        retryMaxMs: 50,
      });
      const trades = sampleTrades(30_000, 100_000);
      for (const trade of trades) writer.enqueue(trade);
      await eventually(() => writer.stats().committed > 0, "the first commits", 20_000);
      proxy.cut();
      await eventually(() => writer.stats().consecutiveFailures >= 2, "failures while cut", 20_000);
      proxy.restore();
      await writer.flush();
      const stored = await direct.query<{ n: number; distinct: number }>(
        `SELECT count(*)::int AS n, count(DISTINCT trade_id)::int AS distinct FROM ticks`,
      );
      assert.deepEqual(stored.rows[0], { n: 30_000, distinct: 30_000 });
      await writer.close();
    });
  });
}
