import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { REPO } from "../support/compose-file";

// docs/runbooks.md RUNBOOK-011: during a rolling upgrade the previous release runs on the new
// schema, and a rollback runs the previous release on it for good. So a migration may add tables,
// nullable columns and indexes, or relax a constraint; anything that breaks a reader or a writer of
// the old shape waits for a later release, once nothing uses that shape.

/** Statements the previous release could trip over. */
const BREAKING = [
  /\bDROP\s+TABLE\b/i,
  /\bDROP\s+COLUMN\b/i,
  /\bRENAME\b/i,
  /\bSET\s+NOT\s+NULL\b/i,
  /\bALTER\s+COLUMN\s+\S+\s+(SET\s+DATA\s+)?TYPE\b/i,
  /\bADD\s+COLUMN\s+[^;]*\bNOT\s+NULL\b(?![^;]*\bDEFAULT\b)/i,
];

/** The first migration creates the schema; nothing ran before it. */
const BASELINE = "0000_neat_darkstar.sql";

/**
 * A table converted in place (partitioning `ticks`, say) is renamed out of the way and re-created under
 * its own name in the same migration, so the previous release still finds it. Such a rename, and what
 * the migration then does to the renamed-away table, are allowed; the shape check below proves the
 * re-created table still has every column and key the previous release uses.
 */
function convertedInPlace(sql: string): { kept: Set<string>; movedAway: Set<string> } {
  const kept = new Set<string>();
  const movedAway = new Set<string>();
  for (const [, from, to] of sql.matchAll(/ALTER\s+TABLE\s+"(\w+)"\s+RENAME\s+TO\s+"(\w+)"/gi))
    if (new RegExp(`CREATE\\s+TABLE\\s+"${from}"`, "i").test(sql)) {
      kept.add(from!);
      movedAway.add(to!);
    }
  return { kept, movedAway };
}

function allowedConversion(statement: string, conversion: ReturnType<typeof convertedInPlace>): boolean {
  const renamedAway = /ALTER\s+TABLE\s+"(\w+)"\s+RENAME\s+TO\s+"(\w+)"/i.exec(statement);
  if (renamedAway) return conversion.kept.has(renamedAway[1]!) && conversion.movedAway.has(renamedAway[2]!);
  const onMovedAway = /(?:ALTER|DROP)\s+TABLE\s+"(\w+)"/i.exec(statement);
  return onMovedAway !== null && conversion.movedAway.has(onMovedAway[1]!);
}

test("every migration after the first is forward-compatible (the runbook's rolling upgrade and rollback rely on it)", () => {
  const dir = `${REPO}drizzle/`;
  const files = readdirSync(dir).filter((f) => f.endsWith(".sql") && f !== BASELINE);
  assert.ok(readdirSync(dir).includes(BASELINE));
  const offending: string[] = [];
  for (const file of files) {
    const sql = readFileSync(`${dir}${file}`, "utf8");
    const conversion = convertedInPlace(sql);
    for (const statement of sql.split(/;|--> statement-breakpoint/))
      if (BREAKING.some((pattern) => pattern.test(statement)) && !allowedConversion(statement, conversion))
        offending.push(`${file}: ${statement.trim()}`);
  }
  assert.deepEqual(offending, []);
});

interface SnapshotColumn {
  type: string;
  notNull: boolean;
  default?: unknown;
}
interface SnapshotTable {
  columns: Record<string, SnapshotColumn>;
  compositePrimaryKeys: Record<string, { columns: string[] }>;
}

test("each migration keeps every table, column and primary key the previous release knows, with no stricter column", () => {
  const meta = `${REPO}drizzle/meta/`;
  const journal = JSON.parse(readFileSync(`${meta}_journal.json`, "utf8")) as { entries: { idx: number }[] };
  const snapshot = (idx: number) =>
    (
      JSON.parse(readFileSync(`${meta}${String(idx).padStart(4, "0")}_snapshot.json`, "utf8")) as {
        tables: Record<string, SnapshotTable>;
      }
    ).tables;
  const broken: string[] = [];
  for (const { idx } of journal.entries.slice(1)) {
    const before = snapshot(idx - 1);
    const after = snapshot(idx);
    for (const [name, table] of Object.entries(before)) {
      const now = after[name];
      if (!now) {
        broken.push(`${idx}: ${name} is gone`);
        continue;
      }
      for (const [column, shape] of Object.entries(table.columns)) {
        const next = now.columns[column];
        if (!next) broken.push(`${idx}: ${name}.${column} is gone`);
        else if (next.type !== shape.type)
          broken.push(`${idx}: ${name}.${column} ${shape.type} → ${next.type}`);
        else if (next.notNull && !shape.notNull) broken.push(`${idx}: ${name}.${column} became NOT NULL`);
      }
      for (const column of Object.keys(now.columns))
        if (
          !table.columns[column] &&
          now.columns[column]!.notNull &&
          now.columns[column]!.default === undefined
        )
          broken.push(`${idx}: ${name}.${column} added NOT NULL without a default`);
      const keys = (t: SnapshotTable) =>
        Object.values(t.compositePrimaryKeys).map((k) => k.columns.join(","));
      assert.ok(keys(now).length >= keys(table).length, `${idx}: ${name} keeps its primary key`);
      for (const key of keys(table))
        if (!keys(now).includes(key)) broken.push(`${idx}: ${name} primary key (${key}) changed`);
    }
  }
  assert.deepEqual(broken, []);
});

test("the check recognises what breaks the previous release", () => {
  const breaks = (sql: string) => BREAKING.some((pattern) => pattern.test(sql));
  assert.ok(breaks('ALTER TABLE "ticks" DROP COLUMN "price"'));
  assert.ok(breaks('ALTER TABLE "ticks" RENAME COLUMN "price" TO "px"'));
  assert.ok(breaks('ALTER TABLE "ticks" ALTER COLUMN "size" SET NOT NULL'));
  assert.ok(breaks('ALTER TABLE "ticks" ADD COLUMN "venue" text NOT NULL'));
  assert.ok(!breaks('ALTER TABLE "ticks" ADD COLUMN "venue" text NOT NULL DEFAULT \'\''));
  assert.ok(!breaks('ALTER TABLE "ticks" ALTER COLUMN "event_time" DROP NOT NULL'));
  assert.ok(!breaks('CREATE INDEX "ticks_venue" ON "ticks" ("venue")'));
});

test("a table converted in place may be renamed away only when the migration re-creates it under its name", () => {
  const conversion = convertedInPlace(
    'ALTER TABLE "ticks" RENAME TO "ticks_old"; CREATE TABLE "ticks" (x int)',
  );
  assert.ok(allowedConversion('ALTER TABLE "ticks" RENAME TO "ticks_old"', conversion));
  assert.ok(allowedConversion('DROP TABLE "ticks_old"', conversion));
  const renamedOnly = convertedInPlace('ALTER TABLE "ticks" RENAME TO "ticks_old"');
  assert.ok(!allowedConversion('ALTER TABLE "ticks" RENAME TO "ticks_old"', renamedOnly));
  assert.ok(!allowedConversion('DROP TABLE "bars_1m"', conversion));
});

/**
 * drizzle applies a migration only when its journal time is later than the newest applied one's, so a
 * migration timed before an earlier one is skipped on every database that ran that one (0006 was, until
 * its time was fixed). 0004 and 0005 were already timed before 0003; re-timing them now would make
 * drizzle run them a second time on databases that have them (and still skip them where 0006 ran), so
 * they stay, the only exceptions, and 0007 creates what they create where drizzle skipped them
 * (test/deploy/skipped-migrations.test.ts).
 */
test("each migration's journal time is later than every earlier one's (drizzle skips one that is not)", () => {
  const journal = JSON.parse(readFileSync(`${REPO}drizzle/meta/_journal.json`, "utf8")) as {
    entries: { tag: string; when: number }[];
  };
  const timedBefore0003 = new Set(["0004_bar_rollups", "0005_user_watchlists"]);
  const late: string[] = [];
  let newest = 0;
  for (const { tag, when } of journal.entries) {
    if (when <= newest && !timedBefore0003.has(tag)) late.push(tag);
    newest = Math.max(newest, when);
  }
  assert.deepEqual(late, []);
});
