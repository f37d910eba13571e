import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { createDb, createTestDatabase, type CreateDbOptions } from "@torghut/db";
import { makeTrade } from "../../../test/support/make-trade";
import { migrationsBefore } from "../../../test/support/migrations-before";
import { queryIntervalBars } from "../bars/interval-bars";
import { countTicks, queryTicks } from "../repositories";
import { insertTicks } from "../tick-insert";
import { ensureTickPartitions, listTickPartitions } from "./tick-partitions";

// Three sessions of ticks, some without a canonical time string, all in the old unpartitioned table.
const trades = Array.from({ length: 300 }, (_, i) =>
  makeTrade({
    symbol: i % 2 === 0 ? "TSLA" : "AAPL",
    tradeId: `t${i}`,
    eventTime: new Date(Date.parse("2026-01-05T15:00:00Z") + Math.floor(i / 100) * 86_400_000 + i * 1000)
      .toISOString()
      .replace("Z", i % 7 === 0 ? "+00:00" : "123456Z"),
    price: 100 + i / 10,
  }),
);

async function convertsWithEveryRow(open: (migrationsFolder?: string) => CreateDbOptions): Promise<void> {
  const old = migrationsBefore("0003_partitioned_ticks");
  try {
    const before = await createDb(open(old.folder));
    assert.equal(await insertTicks(before, trades), trades.length);
    const rowsBefore = await queryTicks(before, "TSLA", 0, Date.parse("2027-01-01T00:00:00Z"));
    // Bars stored before rollups existed: the migration rolls them up.
    await before.query(
      `INSERT INTO bars_1m (symbol, minute, open, high, low, close, volume, vwap, trade_count, source, delayed)
       SELECT 'TSLA', TIMESTAMPTZ '2026-01-05 14:30:00+00' + i * interval '1 minute', 100 + i, 101 + i, 99 + i, 100.5 + i, 10, 100 + i, 1, 'alpaca', false
       FROM generate_series(0, 389) AS i`,
    );
    await before.close();

    const after = await createDb(open());
    try {
      assert.equal(await countTicks(after), trades.length, "rows before = rows after");
      assert.deepEqual(await queryTicks(after, "TSLA", 0, Date.parse("2027-01-01T00:00:00Z")), rowsBefore);
      const partitions = await listTickPartitions(after);
      assert.deepEqual(
        partitions.map((p) => p.name),
        ["ticks_legacy", "ticks_default"],
      );
      assert.equal(partitions[0]!.fromNs, null, "the converted table covers everything before it");
      const daily = await queryIntervalBars(after, "TSLA", "1d", 0, Date.parse("2027-01-01T00:00:00Z"));
      assert.deepEqual(
        daily.map((b) => [b.time, b.open, b.high, b.low, b.close, b.volume, b.tradeCount]),
        [["2026-01-05T05:00:00.000Z", 100, 490, 99, 489.5, 3900, 390]],
      );
      // Still one natural key: the old rows are not inserted twice.
      assert.equal(await insertTicks(after, trades), 0);
      // Days after the converted range get their own partitions.
      const created = await ensureTickPartitions(after, { nowMs: Date.now(), daysAhead: 1 });
      assert.ok(created.length >= 1);
    } finally {
      await after.close();
    }
  } finally {
    old.dispose();
  }
}

test("PGlite: converting the unpartitioned ticks table keeps every row", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "i20-pglite-"));
  try {
    await convertsWithEveryRow((migrationsFolder) => ({
      dataDir,
      ...(migrationsFolder ? { migrationsFolder } : {}),
    }));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

const serverUrl = process.env.DATABASE_URL;
if (serverUrl) {
  test("PostgreSQL: converting the unpartitioned ticks table keeps every row", async () => {
    const scratch = await createTestDatabase(serverUrl, "i20_test");
    try {
      await convertsWithEveryRow((migrationsFolder) => ({
        url: scratch.url,
        ...(migrationsFolder ? { migrationsFolder } : {}),
      }));
    } finally {
      await scratch.drop();
    }
  });
}
