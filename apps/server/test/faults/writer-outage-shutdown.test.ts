import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { startSimulator, type RunningSimulator } from "@torghut/market-sim";
import { eventually, startPgCluster, type PgCluster } from "@torghut/testing";
import { simulatorEnv, TEST_SECRET, TEST_SYMBOLS } from "../support/live-server";
import { spawnReplica, type ReplicaProcess } from "../scale/replica-process";
import type { CloseReport } from "../../src/store/tick-writer-options";

const SHUTDOWN_TIMEOUT_SECONDS = 6;

/** The writer's "tick writer closed" line (one per run). */
function closeReport(replica: ReplicaProcess): CloseReport {
  const line = replica
    .stdout()
    .split("\n")
    .map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        return null;
      }
    })
    .find((entry) => typeof entry?.msg === "string" && entry.msg.startsWith("tick writer closed"));
  assert.ok(line, `no "tick writer closed" line in:\n${replica.output().slice(-4000)}`);
  return line as unknown as CloseReport;
}

describe("SIGTERM during a database outage: nothing lost, everything stored after the restart", () => {
  let cluster: PgCluster;
  let sim: RunningSimulator;
  const dataDir = mkdtempSync(join(tmpdir(), "torghut-outage-"));
  const rows = async () => Number((await cluster.psql("SELECT count(*) FROM ticks", "torghut")).trim());

  before(async () => {
    cluster = await startPgCluster();
    await cluster.psql("CREATE DATABASE torghut");
    sim = await startSimulator({
      port: 0,
      seed: 15,
      symbols: TEST_SYMBOLS,
      tradesPerSecond: 400,
      staleSessionMs: 300,
    });
  });
  after(async () => {
    await sim?.close();
    await cluster?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const start = () =>
    spawnReplica(
      {
        PORT: "0",
        HOST: "127.0.0.1",
        DATABASE_URL: cluster.url("torghut"),
        DATA_DIR: dataDir,
        SYMBOLS: TEST_SYMBOLS.join(","),
        ...simulatorEnv(sim),
        WS_AUTH_SECRET: TEST_SECRET,
        SIMULATED_MARKET: "true",
        SPOOL_AFTER_MS: "300",
        SHUTDOWN_TIMEOUT_SECONDS: String(SHUTDOWN_TIMEOUT_SECONDS),
      },
      120_000,
    );

  test("exits 0 within the deadline having spooled what it could not commit; the next start replays it", async () => {
    const first = await start();
    await eventually(async () => (await rows()) > 200, "ticks stored before the outage", 60_000);
    await cluster.stop("fast");
    await eventually(
      () => first.stdout().includes("spooling ticks to disk"),
      "the writer to spool during the outage",
      30_000,
    );
    const signalledAt = Date.now();
    await first.kill("SIGTERM");
    const tookMs = Date.now() - signalledAt;
    assert.equal(first.child.exitCode, 0, first.output().slice(-4000));
    assert.ok(tookMs < (SHUTDOWN_TIMEOUT_SECONDS + 5) * 1000, `shutdown took ${tookMs} ms`);
    const one = closeReport(first);
    assert.equal(one.lost, 0);
    assert.ok(one.spoolBytes > 0, "unflushed ticks are in the spool");
    assert.ok(readdirSync(join(dataDir, "spool")).some((name) => name.endsWith(".seg")));

    await cluster.start();
    const second = await start();
    await eventually(
      () => second.stdout().includes("spool replayed into the database"),
      "the spool replayed at start",
      60_000,
    );
    await second.kill("SIGTERM");
    assert.equal(second.child.exitCode, 0);
    const two = closeReport(second);
    assert.deepEqual([two.lost, two.spoolBytes], [0, 0]);
    // Every tick either run accepted (less the ones refused as invalid, kept as rejections) is stored.
    assert.equal(await rows(), one.accepted - one.dropped + (two.accepted - two.dropped));
  });
});
