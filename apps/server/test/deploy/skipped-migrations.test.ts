import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { createDb, createTestDatabase, type CreateDbOptions, type Database } from "@torghut/db";
import { queryIntervalBars } from "../../src/store/bars/interval-bars";
import { queryBars, upsertBars } from "../../src/store/bars/minute-bars";
import { SqlWatchlistStore } from "../../src/watchlists/watchlist-store";
import { aggregate } from "../support/bar-oracle";
import { migrationsBefore } from "../support/migrations-before";

// 0004 and 0005 are timed before 0003 in drizzle's journal, so drizzle skipped them on a database that
// had run 0003 before they existed (drizzle/0007 says how the migrator decides). Such a database,
// opened by this release, must end up with what they create, as a database migrated in one go has it.

const ADDED = ["bars_5m", "bars_1h", "bars_1d", "user_watchlists"];
const FROM = Date.parse("2026-01-05T14:30:00Z");
const TO = FROM + 2 * 86_400_000;

/**
 * Two days of two symbols' 1m bars, a failover in each, every seventh minute without a VWAP. Whole and
 * half numbers and one VWAP, so every sum and weighted mean is exact and JS and SQL agree to the bit.
 */
async function storeBars(database: Database): Promise<void> {
  await database.query(
    `INSERT INTO bars_1m (symbol, minute, open, high, low, close, volume, vwap, trade_count, source, delayed)
     SELECT s, TIMESTAMPTZ '2026-01-05 14:30:00+00' + d * interval '1 day' + m * interval '1 minute',
            100 + m, 101 + m, 99 + m, 100.5 + m, 10 + m % 3, CASE WHEN m % 7 = 0 THEN NULL ELSE 100 END,
            1 + m % 4, CASE WHEN m BETWEEN 60 AND 69 THEN 'yahoo' ELSE 'alpaca' END, m BETWEEN 60 AND 69
       FROM unnest(ARRAY['TSLA', 'AAPL']) AS s, generate_series(0, 1) AS d, generate_series(0, 389) AS m
      ORDER BY d, m, s`,
  );
}

/** Columns and primary keys of the tables 0004 and 0005 create. */
async function shape(database: Database): Promise<unknown[]> {
  const columns = await database.query(
    `SELECT table_name, column_name, data_type, datetime_precision, is_nullable, column_default
       FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name = ANY($1::text[])
      ORDER BY table_name, ordinal_position`,
    [ADDED],
  );
  const keys = await database.query(
    `SELECT conrelid::regclass::text AS table_name, conname, pg_get_constraintdef(oid) AS definition
       FROM pg_constraint
      WHERE contype = 'p' AND conrelid::regclass::text = ANY($1::text[])
      ORDER BY 1`,
    [ADDED],
  );
  return [...columns.rows, ...keys.rows];
}

interface Engine {
  /** Options opening the same database again, migrated with `folder` (default: the real migrations). */
  options(folder?: string): CreateDbOptions;
  /** A database of the same engine migrated in one go, for the shape to compare with. */
  fresh(): Promise<{ database: Database; dispose(): Promise<void> }>;
  dispose(): Promise<void>;
}

function skippedMigrationsContract(name: string, open: () => Promise<Engine>): void {
  describe(`0004 and 0005 skipped by drizzle: ${name}`, () => {
    // Straight from a release with 0003, or through the release with 0006 (which skipped them too).
    for (const via of [[], ["0007_repair_skipped_0004_0005"]])
      test(`a database that ran 0003 before 0004 and 0005 existed gets their tables, rollups and watchlists on upgrade${via.length ? " (through the release before this one)" : ""}`, async () => {
        const engine = await open();
        const releases = ["0004_bar_rollups", ...via].map((tag) => migrationsBefore(tag));
        try {
          const before = await createDb(engine.options(releases[0]!.folder));
          await storeBars(before);
          await before.close();
          for (const release of releases) {
            const opened = await createDb(engine.options(release.folder));
            const missing = await opened.query<{ found: string | null }>(
              `SELECT to_regclass('bars_5m')::text AS found`,
            );
            assert.equal(missing.rows[0]?.found, null, "drizzle skipped 0004");
            await opened.close();
          }

          const after = await createDb(engine.options());
          const fresh = await engine.fresh();
          try {
            assert.deepEqual(await shape(after), await shape(fresh.database));
            assert.equal((await shape(after)).length, 13 * 3 + 3 + ADDED.length, "columns and keys");

            // The rollups hold the bars stored before the upgrade, as bars_1m aggregates them.
            const stored = await queryBars(after, "TSLA", FROM, TO);
            assert.equal(stored.length, 780);
            for (const interval of ["5m", "1h", "1d"] as const)
              assert.deepEqual(
                await queryIntervalBars(after, "TSLA", interval, FROM - 86_400_000, TO),
                aggregate(stored, interval),
                interval,
              );

            // And what the release does with them works: a bar write refreshes its rollups, a list saves.
            await upsertBars(after, [{ ...stored[4]!, close: 1234 }]);
            const [updated] = await queryIntervalBars(after, "TSLA", "5m", FROM, FROM + 300_000);
            assert.equal(updated?.close, 1234);
            const watchlists = new SqlWatchlistStore(after);
            await watchlists.put("user-1", ["TSLA", "AAPL"], new Date(FROM));
            assert.deepEqual((await watchlists.get("user-1"))?.symbols, ["TSLA", "AAPL"]);
          } finally {
            await fresh.dispose();
            await after.close();
          }
        } finally {
          for (const release of releases) release.dispose();
          await engine.dispose();
        }
      });
  });
}

skippedMigrationsContract("PGlite", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "skipped-migrations-"));
  return Promise.resolve({
    options: (folder) => ({ dataDir, ...(folder ? { migrationsFolder: folder } : {}) }),
    fresh: async () => {
      const database = await createDb({ inMemory: true });
      return { database, dispose: () => database.close() };
    },
    dispose: () => Promise.resolve(rmSync(dataDir, { recursive: true, force: true })),
  });
});

const serverUrl = process.env.DATABASE_URL;
if (serverUrl)
  skippedMigrationsContract("PostgreSQL", async () => {
    const scratch = await createTestDatabase(serverUrl, "skipped_migrations");
    return {
      options: (folder) => ({ url: scratch.url, ...(folder ? { migrationsFolder: folder } : {}) }),
      fresh: async () => {
        const other = await createTestDatabase(serverUrl, "skipped_migrations_fresh");
        const database = await createDb({ url: other.url });
        return {
          database,
          dispose: async () => {
            await database.close();
            await other.drop();
          },
        };
      },
      dispose: () => scratch.drop(),
    };
  });
