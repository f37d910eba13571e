import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_MIGRATIONS_FOLDER } from "@torghut/db";

/**
 * The migrations as they were before `tag` (the schema a previous release left), in a folder of their
 * own: a database migrated with it, then with the real folder, goes through `tag` with data in it.
 */
export function migrationsBefore(tag: string): { folder: string; dispose(): void } {
  const folder = mkdtempSync(join(tmpdir(), "torghut-migrations-"));
  cpSync(DEFAULT_MIGRATIONS_FOLDER, folder, { recursive: true });
  const journalPath = join(folder, "meta", "_journal.json");
  const journal = JSON.parse(readFileSync(journalPath, "utf8")) as { entries: { tag: string }[] };
  const keep = journal.entries.findIndex((entry) => entry.tag === tag);
  assert.ok(keep > 0, `${tag} is in the journal`);
  for (const entry of journal.entries.slice(keep)) rmSync(join(folder, `${entry.tag}.sql`));
  writeFileSync(journalPath, JSON.stringify({ ...journal, entries: journal.entries.slice(0, keep) }));
  return { folder, dispose: () => rmSync(folder, { recursive: true, force: true }) };
}
