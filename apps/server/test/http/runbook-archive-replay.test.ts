import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { createDb, createTestDatabase } from "@torghut/db";
import { readRunbook } from "../support/runbook";
import { makeTrade } from "../support/make-trade";
import { queryTicks } from "../../src/store/repositories";
import { insertTicks } from "../../src/store/tick-insert";
import { applyRetention } from "../../src/store/maintenance/retention";
import { ensureTickPartitions } from "../../src/store/maintenance/tick-partitions";

// RUNBOOK-016's SQL, run with psql as the person on call would: archive a day's partition to a
// file, let retention drop it, restore it from the file; every tick comes back.

const RUNBOOK = fileURLToPath(new URL("../../../../docs/runbooks.md", import.meta.url));
const serverUrl = process.env.DATABASE_URL;

if (serverUrl) {
  test("RUNBOOK-016: a day archived with COPY, dropped by retention and restored keeps every tick", async () => {
    const blocks = readRunbook(RUNBOOK).filter(
      (s) => s.language === "sql" && /ticks_p20261001|inhparent = 'ticks'/.test(s.command),
    );
    assert.equal(blocks.length, 3, "list, archive, restore");
    const scratch = await createTestDatabase(serverUrl, "i20_runbook");
    const folder = mkdtempSync(join(tmpdir(), "i20-archive-"));
    const database = await createDb({ url: scratch.url });
    const psql = (sql: string) => {
      const result = spawnSync("psql", [scratch.url, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"], {
        input: sql.replaceAll("/var/backups/torghut", folder),
        encoding: "utf8",
      });
      assert.equal(result.status, 0, `psql failed:\n${sql}\n${result.stderr}`);
      return result.stdout.trim().split("\n");
    };
    try {
      await ensureTickPartitions(database, { nowMs: Date.parse("2026-10-01T12:00:00Z"), daysAhead: 1 });
      // Both ends of the New York day, and an awkward trade id.
      const day = [
        makeTrade({ tradeId: "first", eventTime: "2026-10-01T04:00:00.000000000Z", conditions: [] }),
        makeTrade({ tradeId: "o'brien\\\"", eventTime: "2026-10-01T14:30:00.5+00:00", price: 101.25 }),
        makeTrade({
          tradeId: "last",
          eventTime: "2026-10-02T03:59:59.999999999Z",
          exchange: null,
          tape: null,
        }),
      ];
      await insertTicks(database, day);
      const window = [Date.parse("2026-09-30T00:00:00Z"), Date.parse("2026-10-03T00:00:00Z")] as const;
      const before = await queryTicks(database, "TSLA", ...window);
      assert.equal(before.length, 3);

      assert.ok(psql(blocks[0]!.command).some((line) => line.startsWith("ticks_p20261001|")));
      assert.deepEqual(psql(blocks[1]!.command), ["3"]);
      const dropped = await applyRetention(database, {
        nowMs: Date.parse("2026-11-15T12:00:00Z"),
        tickRetentionDays: 30,
        barRetentionDays: null,
      });
      assert.ok(dropped.droppedPartitions.includes("ticks_p20261001"));
      assert.deepEqual(await queryTicks(database, "TSLA", ...window), []);

      assert.deepEqual(psql(blocks[2]!.command), ["3"]);
      assert.deepEqual(await queryTicks(database, "TSLA", ...window), before);
    } finally {
      await database.close();
      await scratch.drop();
      rmSync(folder, { recursive: true, force: true });
    }
  });
}
