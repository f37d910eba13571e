import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { pino } from "pino";
import { createDb, type Database } from "@torghut/db";
import { eventually, TcpProxy } from "@torghut/testing";
import { registry } from "../metrics/registry";
import { FileSpool } from "../spool/file-spool";
import { sampleTrades } from "../../test/fixtures/sample-trades";
import { TickWriter } from "./tick-writer";

const lostAtShutdown = async () =>
  (await registry.getSingleMetric("torghut_ticks_lost_total")!.get()).values.find(
    (v) => v.labels.reason === "shutdown",
  )?.value ?? 0;

describe("closing the writer while the database refuses connections", () => {
  const proxy = new TcpProxy("127.0.0.1", 9); // every connection is reset
  let database: Database;
  const root = mkdtempSync(join(tmpdir(), "torghut-deadline-"));
  before(async () => {
    await proxy.start();
    proxy.cut();
    database = await createDb({ url: `postgres://postgres@127.0.0.1:${proxy.port}/none`, migrate: false });
  });
  after(async () => {
    await database.close();
    await proxy.close();
    rmSync(root, { recursive: true, force: true });
  });

  test("a forced stop before close() spools everything at once and says so in one line; close() only reports", async () => {
    const logs: Record<string, unknown>[] = [];
    const logger = pino({ level: "info" }, { write: (line: string) => void logs.push(JSON.parse(line)) });
    const spool = new FileSpool({ dir: join(root, "forced") });
    // A long SPOOL_AFTER: only the forced stop may move ticks to the spool.
    const writer = new TickWriter(database, { batchRows: 100, spool, spoolAfterMs: 600_000, logger });
    for (const trade of sampleTrades(1000)) writer.enqueue(trade);
    await eventually(() => !writer.commitHealth().canCommit, "the writer to hit the refusal", 20_000);
    writer.forceCloseNow();
    assert.equal(writer.enqueue(sampleTrades(1, 5000)[0]!), false, "intake stopped");
    assert.deepEqual([writer.stats().spooled, writer.stats().lost], [1000, 0]);
    const report = await writer.close();
    assert.deepEqual([report.accepted, report.spooled, report.lost], [1000, 1000, 0]);
    const lines = logs.filter((l) => String(l.msg).startsWith("tick writer closed"));
    assert.equal(lines.length, 1);
    assert.deepEqual([lines[0]!.spooled, lines[0]!.lost, lines[0]!.forced], [1000, 0, true]);
    spool.close();
    const replayed = new FileSpool({ dir: join(root, "forced") });
    let ticks = 0;
    for (let r = replayed.peek(); r; r = replayed.peek()) {
      ticks += r.trades.length;
      replayed.ack(r);
    }
    replayed.close();
    assert.equal(ticks, 1000, "every tick is in the spool for the next start");
  });

  test("without a spool the deadline gives up: what is left is counted as lost, never silently", async () => {
    const before = await lostAtShutdown();
    const writer = new TickWriter(database, { batchRows: 100 });
    for (const trade of sampleTrades(300)) writer.enqueue(trade);
    const report = await writer.close({ timeoutMs: 200 });
    assert.deepEqual([report.spooled, report.lost], [0, 300]);
    assert.equal((await lostAtShutdown()) - before, 300);
  });

  test("past the high-water mark queued ticks go to the spool before the outage threshold", async () => {
    const spool = new FileSpool({ dir: join(root, "high-water") });
    const writer = new TickWriter(database, {
      batchRows: 100,
      flushIntervalMs: 5,
      spool,
      spoolAfterMs: 600_000,
      spoolHighWaterTicks: 500,
    });
    for (const trade of sampleTrades(2000)) writer.enqueue(trade);
    await eventually(() => writer.stats().spooled >= 1500, "the buffer above high water spooled", 20_000);
    assert.ok(writer.stats().queueDepth <= 500, `held in memory: ${writer.stats().queueDepth}`);
    assert.equal(writer.stats().dropped, 0);
    await writer.close({ timeoutMs: 100 });
    assert.equal(writer.stats().lost, 0);
    spool.close();
  });
});
