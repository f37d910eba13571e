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

test("every migration after the first is forward-compatible (the runbook's rolling upgrade and rollback rely on it)", () => {
  const dir = `${REPO}drizzle/`;
  const files = readdirSync(dir).filter((f) => f.endsWith(".sql") && f !== BASELINE);
  assert.ok(readdirSync(dir).includes(BASELINE));
  const offending: string[] = [];
  for (const file of files) {
    const statements = readFileSync(`${dir}${file}`, "utf8").split(/;|--> statement-breakpoint/);
    for (const statement of statements)
      if (BREAKING.some((pattern) => pattern.test(statement))) offending.push(`${file}: ${statement.trim()}`);
  }
  assert.deepEqual(offending, []);
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
