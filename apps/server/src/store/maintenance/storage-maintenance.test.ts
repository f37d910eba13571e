import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createDb, createTestDatabase, type Database, type TestDatabase } from "@torghut/db";
import { eventually } from "@torghut/testing";
import pg from "pg";
import pino from "pino";
import { ManualClock } from "../../clock";
import { registry } from "../../metrics/registry";
import { makeTrade } from "../../../test/support/make-trade";
import { countTicks } from "../repositories";
import { insertTicks } from "../tick-insert";
import { StorageMaintenance, type MaintenanceSettings } from "./storage-maintenance";
import { ensureTickPartitions, listTickPartitions } from "./tick-partitions";

const serverUrl = process.env.DATABASE_URL;
const settings: MaintenanceSettings = {
  tickRetentionDays: 30,
  barRetentionDays: null,
  partitionsAheadDays: 3,
  intervalMs: 60_000,
  lockTimeoutMs: 200,
};

async function metric(name: string, labels: Record<string, string> = {}): Promise<number> {
  const found = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const value = found?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return Number(value?.value ?? 0);
}

async function dayPartitions(database: Database): Promise<string[]> {
  return (await listTickPartitions(database)).filter((p) => !p.isDefault).map((p) => p.name);
}

if (serverUrl) {
  let scratch: TestDatabase;
  let database: Database;
  before(async () => {
    scratch = await createTestDatabase(serverUrl, "i20_test");
    database = await createDb({ url: scratch.url });
  });
  after(async () => {
    await database.close();
    await scratch.drop();
  });

  test("while started it keeps partitions ahead on every round, counted; stopped, it runs no more", async () => {
    const clock = new ManualClock(Date.parse("2026-12-01T15:00:00Z"));
    const daily = { ...settings, intervalMs: 24 * 3_600_000 };
    const maintenance = new StorageMaintenance(database, daily, clock, pino({ level: "silent" }));
    const okBefore = await metric("torghut_store_maintenance_runs_total", { outcome: "ok" });
    await maintenance.start();
    assert.deepEqual(await dayPartitions(database), [
      "ticks_p20261201",
      "ticks_p20261202",
      "ticks_p20261203",
      "ticks_p20261204",
    ]);
    clock.advance(24 * 3_600_000);
    await eventually(
      async () => (await dayPartitions(database)).includes("ticks_p20261205"),
      "next day's round",
    );
    await maintenance.stop();
    assert.equal(await metric("torghut_store_maintenance_runs_total", { outcome: "ok" }), okBefore + 2);
    assert.equal(maintenance.started, false);
    assert.equal(clock.pendingTimers(), 0, "no round scheduled any more");
  });

  test("a drop that would wait behind a long reader gives up at lock_timeout, so the writer's inserts go on", async () => {
    const clock = new ManualClock(Date.parse("2027-02-01T15:00:00Z"));
    const maintenance = new StorageMaintenance(
      database,
      { ...settings, lockTimeoutMs: 2_000 },
      clock,
      pino({ level: "silent" }),
    );
    await ensureTickPartitions(database, { nowMs: clock.now(), daysAhead: settings.partitionsAheadDays });
    // 2026-12-01 … are over 30 days old by now: their partitions are due for dropping.
    const reader = new pg.Client({ connectionString: scratch.url });
    await reader.connect();
    try {
      await reader.query("BEGIN");
      await reader.query("SELECT count(*) FROM ticks"); // holds ACCESS SHARE on every partition until COMMIT
      const failedBefore = await metric("torghut_store_maintenance_runs_total", { outcome: "failed" });
      const round = maintenance.runOnce();
      await eventually(async () => {
        const waiting = await database.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND mode = 'AccessExclusiveLock'`,
        );
        return waiting.rows[0]!.n > 0;
      }, "the drop queued behind the reader");
      // Inserted while the drop is queued behind the reader: waits at most lock_timeout, not for the reader.
      await insertTicks(database, [makeTrade({ tradeId: "during-drop", eventTime: "2027-02-01T15:00:01Z" })]);
      assert.equal(await round, null, "the round gave up");
      assert.equal(
        await metric("torghut_store_maintenance_runs_total", { outcome: "failed" }),
        failedBefore + 1,
      );
      assert.equal(await countTicks(database), 1);
      assert.ok(
        (await dayPartitions(database)).includes("ticks_p20261201"),
        "nothing dropped while the reader reads",
      );
    } finally {
      await reader.query("COMMIT");
      await reader.end();
    }
    const report = await maintenance.runOnce();
    assert.ok(report?.droppedPartitions.includes("ticks_p20261201"), "dropped on the next round");
  });
}
