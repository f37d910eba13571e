import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { createDb } from "@torghut/db";
import { countTicks } from "./repositories";

const fixture = fileURLToPath(new URL("../../test/fixtures/writer-sigkill.ts", import.meta.url));

/**
 * The embedded default (PGlite on disk, DATA_DIR) writes through to the files on every commit, so a
 * SIGKILL of the process (no handler, no flush) keeps every tick whose commit had returned; what sat
 * in the writer's memory is gone (the spool covers outages and shutdowns, not a kill -9 mid-batch).
 */
test("SIGKILL on a PGlite server: every tick whose commit returned is there after a restart", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "torghut-sigkill-"));
  try {
    const child = spawn(process.execPath, ["--import", "tsx", fixture, `--data-dir=${dataDir}`], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once("exit", (_, signal) => resolve(signal)),
    );
    let committed = 0;
    let accepted = 0;
    let pending = "";
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        pending += chunk.toString();
        const lines = pending.split("\n");
        pending = lines.pop() ?? "";
        for (const line of lines) {
          const match = /^committed (\d+) accepted (\d+)$/.exec(line);
          if (!match) continue;
          committed = Number(match[1]);
          accepted = Number(match[2]);
          // Kill it in the middle of streaming: commits done, more batches queued and in flight.
          if (committed >= 5_000) {
            child.kill("SIGKILL");
            resolve();
          }
        }
      });
      child.once("exit", () => reject(new Error(`fixture exited before 5,000 commits (${committed})`)));
    });
    assert.equal(await exited, "SIGKILL");
    const database = await createDb({ dataDir });
    try {
      const stored = await countTicks(database);
      assert.ok(stored >= committed, `${stored} stored, ${committed} committed before the kill`);
      // Whole batches only (a batch is one transaction): every stored tick is one the fixture made, once.
      const ids = await database.query<{ n: number; max: number }>(
        `SELECT count(DISTINCT trade_id)::int AS n, max(substr(trade_id, 2)::int) AS max FROM ticks`,
      );
      assert.equal(ids.rows[0]?.n, stored);
      assert.ok((ids.rows[0]?.max ?? 0) < accepted + 10_000);
    } finally {
      await database.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
