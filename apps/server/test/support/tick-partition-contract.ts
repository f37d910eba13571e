import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import type { Database } from "@torghut/db";
import { queryBars, upsertBars } from "../../src/store/bars/minute-bars";
import { countTicks, queryTicks } from "../../src/store/repositories";
import { applyRetention } from "../../src/store/maintenance/retention";
import { compactClosedPartitions } from "../../src/store/maintenance/compact-partitions";
import { insertTicks } from "../../src/store/tick-insert";
import { ensureTickPartitions, listTickPartitions } from "../../src/store/maintenance/tick-partitions";
import { makeTrade } from "./make-trade";
import type { StorageUnderTest } from "./storage-contract";

const HOUR_NS = 3_600_000_000_000n;

/** The partition a stored tick sits in, found by PostgreSQL itself (tableoid), not by our bounds. */
export async function partitionOf(database: Database, tradeId: string): Promise<string> {
  const result = await database.query<{ name: string }>(
    `SELECT tableoid::regclass::text AS name FROM ticks WHERE trade_id = $1`,
    [tradeId],
  );
  assert.equal(result.rows.length, 1, `tick ${tradeId} stored once`);
  return result.rows[0]!.name;
}

async function dropDayPartitions(database: Database): Promise<void> {
  for (const partition of await listTickPartitions(database)) {
    if (!partition.isDefault) await database.query(`DROP TABLE "${partition.name}"`);
  }
}

/** Day partitions on both engines: created ahead, New York days across DST, nothing lost. */
export function tickPartitionContract(engine: string, open: () => Promise<StorageUnderTest>): void {
  describe(`tick partitions: ${engine}`, () => {
    let storage: StorageUnderTest;
    let database: Database;

    before(async () => {
      storage = await open();
      database = storage.database;
    });
    after(() => storage.dispose());
    beforeEach(async () => {
      await database.query("TRUNCATE ticks");
      await dropDayPartitions(database);
    });

    test("creates one partition per New York day ahead, 25 hours on the day DST ends", async () => {
      // Saturday 2026-10-31, 16:00 in New York; DST ends on Sunday 2026-11-01 at 02:00.
      const created = await ensureTickPartitions(database, {
        nowMs: Date.parse("2026-10-31T20:00:00Z"),
        daysAhead: 2,
      });
      assert.deepEqual(created, ["ticks_p20261031", "ticks_p20261101", "ticks_p20261102"]);
      const days = (await listTickPartitions(database)).filter((p) => !p.isDefault);
      assert.deepEqual(
        days.map((p) => [p.name, p.fromNs, p.toNs]),
        [
          [
            "ticks_p20261031",
            BigInt(Date.parse("2026-10-31T04:00:00Z")) * 1_000_000n,
            BigInt(Date.parse("2026-11-01T04:00:00Z")) * 1_000_000n,
          ],
          [
            "ticks_p20261101",
            BigInt(Date.parse("2026-11-01T04:00:00Z")) * 1_000_000n,
            BigInt(Date.parse("2026-11-02T05:00:00Z")) * 1_000_000n,
          ],
          [
            "ticks_p20261102",
            BigInt(Date.parse("2026-11-02T05:00:00Z")) * 1_000_000n,
            BigInt(Date.parse("2026-11-03T05:00:00Z")) * 1_000_000n,
          ],
        ],
      );
      assert.equal(days[1]!.toNs! - days[1]!.fromNs!, 25n * HOUR_NS);
      assert.deepEqual(
        await ensureTickPartitions(database, { nowMs: Date.parse("2026-10-31T20:00:00Z"), daysAhead: 2 }),
        [],
      );
    });

    test("a tick on each side of New York midnight lands in its own day, across DST starting", async () => {
      // DST starts on Sunday 2026-03-08: that day is 23 hours long.
      await ensureTickPartitions(database, { nowMs: Date.parse("2026-03-07T15:00:00Z"), daysAhead: 2 });
      await insertTicks(database, [
        makeTrade({ tradeId: "sat-late", eventTime: "2026-03-08T04:59:59.999999999Z" }),
        makeTrade({ tradeId: "sun-first", eventTime: "2026-03-08T05:00:00.000000000Z" }),
        makeTrade({ tradeId: "sun-last", eventTime: "2026-03-09T03:59:59.999999999Z" }),
        makeTrade({ tradeId: "mon-first", eventTime: "2026-03-09T04:00:00.000000000Z" }),
      ]);
      assert.equal(await partitionOf(database, "sat-late"), "ticks_p20260307");
      assert.equal(await partitionOf(database, "sun-first"), "ticks_p20260308");
      assert.equal(await partitionOf(database, "sun-last"), "ticks_p20260308");
      assert.equal(await partitionOf(database, "mon-first"), "ticks_p20260309");
    });

    test("a tick for a day without a partition is kept, and moved into the day's partition when it is made", async () => {
      const trades = [
        makeTrade({ tradeId: "early", eventTime: "2026-06-01T13:30:00.000000001Z" }),
        makeTrade({ tradeId: "late", eventTime: "2026-06-01T19:59:59.5Z" }),
      ];
      assert.equal(await insertTicks(database, trades), 2);
      assert.equal(await partitionOf(database, "early"), "ticks_default");
      const created = await ensureTickPartitions(database, {
        nowMs: Date.parse("2026-06-01T12:00:00Z"),
        daysAhead: 0,
      });
      assert.deepEqual(created, ["ticks_p20260601"]);
      assert.equal(await partitionOf(database, "early"), "ticks_p20260601");
      assert.equal(await partitionOf(database, "late"), "ticks_p20260601");
      const stored = await queryTicks(
        database,
        "TSLA",
        Date.parse("2026-06-01T00:00:00Z"),
        Date.parse("2026-06-02T00:00:00Z"),
      );
      assert.deepEqual(stored, trades);
      // The primary key still de-duplicates a retried batch, inside the partition.
      assert.equal(await insertTicks(database, trades), 0);
      assert.equal(await countTicks(database), 2);
    });

    test("retention drops exactly the partitions whose every tick expired, and trims bars only when asked", async () => {
      const nowMs = Date.parse("2026-11-20T15:00:00Z"); // Friday 10:00 in New York
      await ensureTickPartitions(database, { nowMs, daysAhead: 1, daysBack: 40 });
      const day = (n: number) => new Date(nowMs - n * 86_400_000).toISOString().slice(0, 10);
      // One tick at 10:00 New York on each of the last 40 days, and one more from before any partition.
      await insertTicks(
        database,
        Array.from({ length: 41 }, (_, n) =>
          makeTrade({ tradeId: `d${n}`, eventTime: new Date(nowMs - n * 86_400_000).toISOString() }),
        ),
      );
      await insertTicks(database, [makeTrade({ tradeId: "ancient", eventTime: "2025-01-02T15:00:00Z" })]);
      assert.equal(await partitionOf(database, "ancient"), "ticks_default");
      const bar = (minute: string) => ({
        symbol: "TSLA",
        minute,
        open: 1,
        high: 1,
        low: 1,
        close: 1,
        volume: 1,
        vwap: 1,
        tradeCount: 1,
        source: "alpaca" as const,
        delayed: false,
      });
      await upsertBars(database, [bar("2026-11-20T14:59:00.000Z"), bar("2026-10-01T14:00:00.000Z")]);

      const kept = await applyRetention(database, { nowMs, tickRetentionDays: 30, barRetentionDays: null });
      const expected = Array.from({ length: 10 }, (_, i) => `ticks_p${day(40 - i).replaceAll("-", "")}`);
      assert.deepEqual(kept.droppedPartitions, expected);
      assert.equal(kept.deletedDefaultTicks, 1);
      assert.equal(kept.deletedBars, 0);
      // Today and the 30 days before it are all there, tick for tick.
      assert.equal(await countTicks(database), 31);
      assert.equal(await partitionOf(database, "d30"), `ticks_p${day(30).replaceAll("-", "")}`);
      const names = (await listTickPartitions(database)).map((p) => p.name);
      assert.equal(names.length, 31 + 1 + 1, "31 kept days, tomorrow and the default partition");

      assert.deepEqual(
        (await applyRetention(database, { nowMs, tickRetentionDays: 30, barRetentionDays: null }))
          .droppedPartitions,
        [],
      );
      const trimmed = await applyRetention(database, { nowMs, tickRetentionDays: 30, barRetentionDays: 10 });
      assert.equal(trimmed.deletedBars, 4, "the old minute and its 5m, 1h and 1d rollups");
      const bars = await queryBars(database, "TSLA", 0, nowMs);
      assert.deepEqual(
        bars.map((b) => b.minute),
        ["2026-11-20T14:59:00.000Z"],
      );
    });

    test("a finished day's index is rebuilt packed, once; its ticks and de-duplication are unchanged", async () => {
      await ensureTickPartitions(database, { nowMs: Date.parse("2026-06-02T15:00:00Z"), daysAhead: 1 });
      // A live session's shape: batches in time order, thirty symbols interleaved.
      const symbols = Array.from({ length: 30 }, (_, i) => `S${i}`);
      const start = Date.parse("2026-06-02T13:30:00Z");
      for (let batch = 0; batch < 6; batch++) {
        await insertTicks(
          database,
          Array.from({ length: 2000 }, (_, i) => {
            const n = batch * 2000 + i;
            return makeTrade({
              symbol: symbols[n % 30]!,
              tradeId: `t${n}`,
              eventTime: new Date(start + n * 100).toISOString(),
            });
          }),
        );
      }
      const indexBytes = async () =>
        Number(
          (await database.query<{ n: string }>(`SELECT pg_relation_size('ticks_p20260602_pkey')::text AS n`))
            .rows[0]!.n,
        );
      const before = await indexBytes();
      const stored = await queryTicks(database, "S7", start, start + 3_600_000);
      assert.deepEqual(
        await compactClosedPartitions(database, { nowMs: Date.parse("2026-06-02T23:00:00Z") }),
        [],
        "the day is not over",
      );
      assert.deepEqual(
        await compactClosedPartitions(database, { nowMs: Date.parse("2026-06-03T05:00:00Z") }),
        ["ticks_p20260602"],
      );
      const after = await indexBytes();
      assert.ok(after < before * 0.75, `index ${before} → ${after} bytes`);
      assert.deepEqual(
        await compactClosedPartitions(database, { nowMs: Date.parse("2026-06-03T05:00:00Z") }),
        [],
        "done once",
      );
      assert.deepEqual(await queryTicks(database, "S7", start, start + 3_600_000), stored);
      assert.equal(
        await insertTicks(database, [
          makeTrade({ symbol: "S7", tradeId: "t7", eventTime: new Date(start + 700).toISOString() }),
        ]),
        0,
      );
      assert.equal(await countTicks(database), 12_000);
    });
  });
}
