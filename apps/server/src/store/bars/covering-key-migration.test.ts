import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { Bar1m } from "@torghut/contracts";
import { createDb, createTestDatabase, type CreateDbOptions, type Database } from "@torghut/db";
import { migrationsBefore } from "../../../test/support/migrations-before";
import { queryBars, upsertBars } from "./minute-bars";

const FROM = Date.parse("2026-01-05T14:30:00Z");
const TO = FROM + 2 * 86_400_000;
const COVERED = "INCLUDE (open, high, low, close, volume, vwap, trade_count, source, delayed)";

async function storeBars(database: Database): Promise<void> {
  await database.query(
    `INSERT INTO bars_1m (symbol, minute, open, high, low, close, volume, vwap, trade_count, source, delayed)
     SELECT s, TIMESTAMPTZ '2026-01-05 14:30:00+00' + d * interval '1 day' + m * interval '1 minute',
            100 + m, 101 + m, 99 + m, 100.5 + m, 10, CASE WHEN m % 7 = 0 THEN NULL ELSE 100 + m END, 1, 'alpaca', false
       FROM unnest(ARRAY['TSLA', 'AAPL']) AS s, generate_series(0, 1) AS d, generate_series(0, 389) AS m
      ORDER BY d, m, s`,
  );
}

async function primaryKey(database: Database): Promise<{ oid: number; definition: string }> {
  const result = await database.query<{ oid: number; definition: string }>(
    `SELECT 'bars_1m_pkey'::regclass::oid::int AS oid, pg_get_indexdef('bars_1m_pkey'::regclass) AS definition`,
  );
  return result.rows[0]!;
}

/**
 * A database a previous release left (migrations up to 0005, bars stored), optionally with the covering
 * index built beforehand as RUNBOOK-011 says, then opened by this release.
 */
async function upgrade(open: (folder?: string) => CreateDbOptions, prebuild: string | null) {
  const old = migrationsBefore("0006_bars_1m_covering_key");
  try {
    const before = await createDb(open(old.folder));
    await storeBars(before);
    const rows = await queryBars(before, "TSLA", FROM, TO);
    if (prebuild !== null) await before.query(prebuild);
    const prebuilt =
      prebuild === null
        ? null
        : (await before.query<{ oid: number }>(`SELECT 'bars_1m_covering'::regclass::oid::int AS oid`))
            .rows[0]!.oid;
    await before.close();
    return { after: await createDb(open()), rows, prebuilt };
  } finally {
    old.dispose();
  }
}

function coveringKeyContract(
  engine: string,
  open: () => Promise<{ options: (folder?: string) => CreateDbOptions; dispose(): Promise<void> }>,
  concurrently: string,
) {
  describe(`0006 covering key: ${engine}`, () => {
    test("every bar is kept, the key covers the read, and ON CONFLICT still finds it", async () => {
      const storage = await open();
      const { after, rows } = await upgrade(storage.options, null);
      try {
        assert.equal(rows.length, 780);
        assert.deepEqual(await queryBars(after, "TSLA", FROM, TO), rows, "bars before = bars after");
        assert.ok((await primaryKey(after)).definition.includes(COVERED));
        const replaced: Bar1m = { ...rows[5]!, close: 1234 };
        await upsertBars(after, [replaced]);
        const now = await queryBars(after, "TSLA", FROM, TO);
        assert.equal(now.length, rows.length);
        assert.deepEqual(now[5], replaced);
      } finally {
        await after.close();
        await storage.dispose();
      }
    });

    test("a covering index built beforehand is swapped in, not built again", async () => {
      const storage = await open();
      const { after, prebuilt } = await upgrade(
        storage.options,
        `CREATE UNIQUE INDEX ${concurrently} bars_1m_covering ON bars_1m (symbol, minute) ${COVERED}`,
      );
      try {
        const key = await primaryKey(after);
        assert.equal(key.oid, prebuilt);
        assert.ok(key.definition.includes(COVERED));
      } finally {
        await after.close();
        await storage.dispose();
      }
    });
  });
}

coveringKeyContract(
  "PGlite",
  () => {
    const dataDir = mkdtempSync(join(tmpdir(), "i20-covering-"));
    return Promise.resolve({
      options: (folder?: string) => ({ dataDir, ...(folder ? { migrationsFolder: folder } : {}) }),
      dispose: () => Promise.resolve(rmSync(dataDir, { recursive: true, force: true })),
    });
  },
  "",
);

const serverUrl = process.env.DATABASE_URL;
if (serverUrl)
  coveringKeyContract(
    "PostgreSQL",
    async () => {
      const scratch = await createTestDatabase(serverUrl, "i20_test");
      return {
        options: (folder) => ({ url: scratch.url, ...(folder ? { migrationsFolder: folder } : {}) }),
        dispose: () => scratch.drop(),
      };
    },
    // As RUNBOOK-011 builds it on a live database: no lock on bars_1m.
    "CONCURRENTLY",
  );
