import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Trade } from "@torghut/contracts";
import { createDb, type Database } from "@torghut/db";
import { eventually, TcpProxy } from "@torghut/testing";
import { ManualClock } from "../clock";
import { sampleTrades } from "../../test/fixtures/sample-trades";
import { openProxiedDatabase, type ProxiedDatabase } from "../../test/fixtures/proxied-database";
import { FileSpool } from "../spool/file-spool";
import { countTicks } from "./repositories";
import { TickWriter } from "./tick-writer";

/**
 * Live first (issue #15): what piled up during an outage (the spool, the chunks held in memory) is
 * committed behind the ticks received now. Observed through the order of the writer's commit
 * reports, never through timing: "L" a live batch, "B" a backlog batch or spooled record.
 *
 * One slot (`concurrency: 1`) makes that order the order of sending. With two, the backlog's own
 * slot beside the last live batch may commit any number of batches while that one is in flight (by
 * design: it is sent after every live batch), so the commit order then depends on the database's
 * timing — a loaded CI box showed BBLLBBLBB.
 */
const LIVE_FROM = 1_000_000;
const label = (trades: readonly Trade[]) => (Number(trades[0]!.tradeId.slice(1)) >= LIVE_FROM ? "L" : "B");

/** How many backlog commits came before the last live one. */
const backlogBeforeLastLive = (order: string) => order.slice(0, order.lastIndexOf("L")).split("B").length - 1;

describe("TickWriter backlog on PGlite", () => {
  let database: Database;
  let dir: string;
  before(async () => {
    database = await createDb({ inMemory: true });
    dir = mkdtempSync(join(tmpdir(), "torghut-backlog-"));
  });
  after(async () => {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("a spool left by an earlier run is replayed behind the live batches, not ahead of them", async () => {
    const earlier = new FileSpool({ dir });
    for (let record = 0; record < 8; record++) earlier.append(sampleTrades(100, record * 100));
    earlier.close();
    const spool = new FileSpool({ dir });
    let order = "";
    const writer = new TickWriter(database, {
      batchRows: 100,
      flushIntervalMs: 60_000, // only full batches leave: six of them wait when the replay could start
      concurrency: 1,
      spool,
      onCommit: (trades) => (order += label(trades)),
    });
    for (const trade of sampleTrades(600, LIVE_FROM)) writer.enqueue(trade);
    await eventually(
      () => spool.peek() === null && writer.stats().committed === 1400,
      "all committed",
      20_000,
    );
    // Replaying at once (the old way) interleaves records with the live batches from the first commit.
    assert.equal(backlogBeforeLastLive(order), 0, `commit order ${order}`);
    assert.deepEqual([order.length, writer.stats().replayed, await countTicks(database)], [14, 800, 1400]);
    await writer.close();
    spool.close();
  });
});

describe("TickWriter spooling during an outage", () => {
  const proxy = new TcpProxy("127.0.0.1", 9); // every connection is reset: the database is down
  let database: Database;
  let dir: string;
  before(async () => {
    await proxy.start();
    proxy.cut();
    database = await createDb({ url: `postgres://postgres@127.0.0.1:${proxy.port}/none`, migrate: false });
    dir = mkdtempSync(join(tmpdir(), "torghut-spool-young-"));
  });
  after(async () => {
    await database.close();
    await proxy.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("chunks younger than spoolAfterMs stay in memory (they go first once it is back); a close spools them too", async () => {
    const clock = new ManualClock();
    const spool = new FileSpool({ dir });
    const writer = new TickWriter(
      database,
      { batchRows: 10, flushIntervalMs: 10, retryBaseMs: 100, retryMaxMs: 100, spool, spoolAfterMs: 1_000 },
      clock,
    );
    for (const trade of sampleTrades(10)) writer.enqueue(trade);
    await eventually(() => writer.stats().consecutiveFailures === 1, "the first failed attempt", 20_000);
    clock.advance(1_500); // past spoolAfterMs and the backoff: the retry fails, spooling starts
    await eventually(() => writer.stats().consecutiveFailures === 2, "the retry", 20_000);
    for (const trade of sampleTrades(10, 10)) writer.enqueue(trade);
    clock.advance(200);
    await eventually(() => writer.stats().consecutiveFailures >= 3, "a retry of the young chunk", 20_000);
    assert.deepEqual([writer.stats().spooled, writer.stats().queueDepth], [10, 10]);
    const closing = writer.close({ timeoutMs: 5_000 });
    const report = await closing;
    assert.deepEqual([report.spooled, report.lost, spool.ticks], [20, 0, 20]);
    spool.close();
  });
});

const serverUrl = process.env.DATABASE_URL;
if (serverUrl) {
  describe("TickWriter backlog on PostgreSQL through an outage", () => {
    let scratch: ProxiedDatabase;
    let proxy: TcpProxy;
    let direct: Database;
    let proxied: Database;
    before(async () => {
      scratch = await openProxiedDatabase(serverUrl);
      ({ proxy, direct, proxied } = scratch);
    });
    after(() => scratch.close());

    test("ticks queued during an outage wait behind the ticks received once it commits again", async () => {
      let order = "";
      const writer = new TickWriter(proxied, {
        batchRows: 100,
        flushIntervalMs: 60_000,
        concurrency: 1,
        retryBaseMs: 10,
        retryMaxMs: 50,
        onCommit: (trades) => (order += label(trades)),
      });
      proxy.cut();
      for (const trade of sampleTrades(600)) writer.enqueue(trade);
      await eventually(() => writer.stats().consecutiveFailures >= 2, "failures while cut", 20_000);
      // The live feed: three batches received the moment the database commits again.
      writer.onCommitHealth((health) => {
        if (health.canCommit) for (const trade of sampleTrades(300, LIVE_FROM)) writer.enqueue(trade);
      });
      proxy.restore();
      await eventually(() => writer.stats().committed === 900, "all committed", 20_000);
      // Only the commit that proved the database back: every live batch goes before the rest. FIFO: 6.
      assert.equal(backlogBeforeLastLive(order), 1, `commit order ${order}`);
      const stored = await direct.query<{ n: number; distinct: number }>(
        `SELECT count(*)::int AS n, count(DISTINCT trade_id)::int AS distinct FROM ticks`,
      );
      assert.deepEqual(stored.rows[0], { n: 900, distinct: 900 });
      assert.equal(writer.stats().queueDepth, 0);
      await writer.close();
    });

    test("a stall without failures (a lock holds every commit): what queued during it waits behind live ticks", async () => {
      await direct.query("TRUNCATE ticks");
      const clock = new ManualClock();
      let order = "";
      let liveSent = false;
      const writer = new TickWriter(
        proxied,
        {
          batchRows: 100,
          flushIntervalMs: 60_000,
          concurrency: 1,
          backlogAfterMs: 1_000,
          onCommit: (trades) => {
            order += label(trades);
            if (liveSent) return;
            liveSent = true; // the live feed: three batches received as the first stalled commit lands
            for (const trade of sampleTrades(300, LIVE_FROM)) writer.enqueue(trade);
          },
        },
        clock,
      );
      const lock = await direct.pool!.connect();
      try {
        await lock.query("BEGIN; LOCK TABLE ticks IN ACCESS EXCLUSIVE MODE");
        for (const trade of sampleTrades(600, 5_000)) writer.enqueue(trade);
        await eventually(() => writer.stats().queueDepth === 600, "six batches queued", 20_000);
        clock.advance(5_000); // the stall, on the writer's clock: no batch failed, none committed
        await lock.query("COMMIT");
      } finally {
        lock.release();
      }
      await eventually(() => writer.stats().committed === 900, "all committed", 20_000);
      assert.equal(writer.stats().consecutiveFailures, 0);
      // Only the stalled commit that revealed the stall: the live batches go before the rest. FIFO: 6.
      assert.equal(backlogBeforeLastLive(order), 1, `commit order ${order}`);
      assert.equal(await countTicks(direct), 900);
      await writer.close();
    });
  });
}
