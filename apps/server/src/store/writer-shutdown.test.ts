import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { createDb, createTestDatabase, DEFAULT_MIGRATIONS_FOLDER } from "@torghut/db";
import { countTicks } from "./repositories";

const fixture = fileURLToPath(new URL("../../test/fixtures/writer-sigterm.ts", import.meta.url));

/** Runs the fixture, sends SIGTERM once it is streaming, and returns what it reports on exit. */
async function streamThenTerminate(
  target: string,
): Promise<{ accepted: number; committed: number; dropped: number }> {
  const child = spawn(process.execPath, ["--import", "tsx", fixture, target], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("streaming\n")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`fixture exited early (${code}): ${output}`)));
  });
  child.kill("SIGTERM");
  assert.equal(await exited, 0);
  const report = output.split("\n").find((line) => line.startsWith("{"));
  assert.ok(report, `no report in: ${output}`);
  return JSON.parse(report) as { accepted: number; committed: number; dropped: number };
}

test("SIGTERM mid-stream: everything accepted before the signal is committed (PGlite on disk)", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "torghut-sigterm-"));
  try {
    const report = await streamThenTerminate(`--data-dir=${dataDir}`);
    assert.ok(report.accepted > 0);
    assert.deepEqual([report.committed, report.dropped], [report.accepted, 0]);
    // Reopening the persisted files finds the data and no migration left to apply.
    const database = await createDb({ dataDir });
    assert.equal(await countTicks(database), report.accepted);
    const journal = await database.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`,
    );
    const migrations = readdirSync(DEFAULT_MIGRATIONS_FOLDER).filter((name) => name.endsWith(".sql"));
    assert.equal(journal.rows[0]?.n, migrations.length);
    await database.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

const serverUrl = process.env.DATABASE_URL;
if (serverUrl) {
  test("SIGTERM mid-stream: everything accepted before the signal is committed (PostgreSQL)", async () => {
    const scratch = await createTestDatabase(serverUrl);
    try {
      const report = await streamThenTerminate(`--url=${scratch.url}`);
      assert.ok(report.accepted > 0);
      assert.deepEqual([report.committed, report.dropped], [report.accepted, 0]);
      const database = await createDb({ url: scratch.url });
      assert.equal(await countTicks(database), report.accepted);
      await database.close();
    } finally {
      await scratch.drop();
    }
  });
}
