import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import pino from "pino";
import { createDb, type Database } from "@torghut/db";
import { eventually, startPgCluster, type PgCluster } from "@torghut/testing";
import { systemClock } from "../clock";
import { sampleTrades } from "../../test/fixtures/sample-trades";
import { FileSpool } from "../spool/file-spool";
import { RejectionRecorder } from "./rejection-recorder";
import { countTicks, listRejections } from "./repositories";
import { TickWriter } from "./tick-writer";

/**
 * The writer against a PostgreSQL we break on purpose. The writer connects as an ordinary role
 * (a superuser ignores grants), so REVOKE behaves as it does in production.
 */
describe("TickWriter on a PostgreSQL cluster of its own", () => {
  let cluster: PgCluster;
  let owner: Database;
  let database: Database;
  before(async () => {
    cluster = await startPgCluster();
    await cluster.psql("CREATE DATABASE torghut");
    owner = await createDb({ url: cluster.url("torghut") });
    await cluster.psql(
      "CREATE ROLE writer LOGIN; GRANT ALL ON ALL TABLES IN SCHEMA public TO writer; GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO writer",
      "torghut",
    );
    database = await createDb({
      url: cluster.url("torghut").replace("postgres@", "writer@"),
      migrate: false,
    });
  });
  after(async () => {
    await database?.close();
    await owner?.close();
    await cluster?.destroy();
  });

  test("INSERT revoked mid-stream: nothing is dropped, the writer says why it cannot commit, rows land after GRANT", async () => {
    await owner.query("TRUNCATE ticks");
    const writer = new TickWriter(database, {
      batchRows: 100,
      flushIntervalMs: 5,
      retryBaseMs: 20,
      retryMaxMs: 200,
    });
    const changes: boolean[] = [];
    writer.onCommitHealth((health) => changes.push(health.canCommit));
    for (const trade of sampleTrades(500)) writer.enqueue(trade);
    await writer.flush();
    assert.equal(await countTicks(owner), 500);

    await cluster.psql("REVOKE INSERT ON ticks FROM writer", "torghut");
    for (const trade of sampleTrades(1500, 500)) writer.enqueue(trade);
    await eventually(() => !writer.commitHealth().canCommit, "the writer to notice it cannot commit", 30_000);
    assert.match(writer.commitHealth().reason ?? "", /42501/);
    await eventually(() => writer.stats().consecutiveFailures >= 3, "a few retries", 30_000);
    assert.deepEqual(
      [await countTicks(owner), writer.stats().dropped, writer.stats().queueDepth],
      [500, 0, 1500],
    );

    await cluster.psql("GRANT INSERT ON ticks TO writer", "torghut");
    await writer.flush();
    assert.deepEqual(
      [await countTicks(owner), writer.stats().committed, writer.stats().dropped],
      [2000, 2000, 0],
    );
    assert.equal(writer.commitHealth().canCommit, true);
    assert.deepEqual(changes, [false, true]);
    await writer.close();
  });

  test("a row the database refuses for its content is kept in validation_rejections; the rest of its batch lands", async () => {
    await owner.query("TRUNCATE ticks, validation_rejections");
    const rejections = new RejectionRecorder(database, systemClock, pino({ level: "silent" }));
    const writer = new TickWriter(database, {
      batchRows: 1000,
      flushIntervalMs: 5,
      onRefused: (trade, reason, detail) =>
        rejections.record({ trade, reason, detail, rejectedAt: Date.now() }),
    });
    const trades = sampleTrades(1000, 10_000);
    trades[417] = { ...trades[417]!, price: Number.NaN }; // NULL on the wire: NOT NULL (23502) refuses it
    for (const trade of trades) writer.enqueue(trade);
    await writer.flush();
    await writer.close();
    await rejections.close();
    assert.deepEqual([await countTicks(owner), writer.stats().dropped], [999, 1]);
    const stored = await listRejections(owner);
    assert.equal(stored.length, 1);
    assert.equal(stored[0]!.reason, "rejected_by_database");
    const payload = stored[0]!.payload as { tradeId: string; detail: string };
    assert.equal(payload.tradeId, "t10417");
    assert.match(payload.detail, /23502/);
  });

  test("database stopped while ticks flow: past the threshold they go to the spool, and all are stored once it is back", async () => {
    await owner.query("TRUNCATE ticks");
    const dir = mkdtempSync(join(tmpdir(), "torghut-writer-spool-"));
    const spool = new FileSpool({ dir });
    const writer = new TickWriter(database, {
      batchRows: 200,
      flushIntervalMs: 5,
      retryBaseMs: 50,
      retryMaxMs: 300,
      spool,
      spoolAfterMs: 300,
    });
    let sent = 0;
    const feed = setInterval(() => {
      for (const trade of sampleTrades(50, 100_000 + sent)) writer.enqueue(trade);
      sent += 50;
    }, 5);
    try {
      await eventually(() => writer.stats().committed > 500, "ticks committing", 30_000);
      await cluster.stop("fast");
      await eventually(() => writer.stats().spooled >= 3000, "the spool to grow during the outage", 60_000);
      assert.ok(spool.bytes > 0);
      assert.equal(writer.commitHealth().canCommit, false);
      await cluster.start();
      await eventually(() => writer.stats().replayed > 0, "replay to start", 60_000);
    } finally {
      clearInterval(feed);
    }
    await writer.flush();
    await eventually(
      () => spool.peek() === null && writer.stats().queueDepth === 0,
      "the spool drained",
      60_000,
    );
    const stats = writer.stats();
    assert.deepEqual([await countTicks(owner), stats.dropped, stats.lost], [sent, 0, 0]);
    assert.equal(stats.replayed, stats.spooled);
    assert.equal(spool.bytes, 0);
    await writer.close();
    spool.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
