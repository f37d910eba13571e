import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { createTestDatabase, type TestDatabase } from "@torghut/db";
import { startSimulator, type RunningSimulator } from "@torghut/market-sim";
import { eventually } from "@torghut/testing";
import { duplicateKeys } from "../support/json-keys";
import { getJson, simulatorEnv, TEST_SECRET, TEST_SYMBOLS } from "../support/live-server";
import { spawnReplica, type ReplicaProcess } from "../scale/replica-process";

const SERVER_DIR = fileURLToPath(new URL("../..", import.meta.url));
/**
 * How production runs the server (Dockerfile, k8s): plain node on the bundle. Type stripping off,
 * so that loading any .ts file (a workspace package's source, say) fails the start instead of
 * passing here because Node 24 happens to strip types.
 */
const COMPILED = ["--no-experimental-strip-types", "dist/main.js"];

/** `npm run build` of the server, exactly as its package.json says. */
function buildServer(): void {
  const { scripts } = JSON.parse(readFileSync(join(SERVER_DIR, "package.json"), "utf8")) as {
    scripts: { build: string };
  };
  const result = spawnSync("sh", ["-c", scripts.build], { cwd: SERVER_DIR, encoding: "utf8" });
  assert.equal(result.status, 0, `${scripts.build} failed:\n${result.stdout}${result.stderr}`);
}

/**
 * Streaming on Alpaca, then a failover to Yahoo while Yahoo answers 429 (yahoo-finance2 prints the
 * URL with console.error), then back: returns once the server has recovered.
 */
async function exercise(server: ReplicaProcess, sim: RunningSimulator, thread: string | undefined) {
  const stocks = async () => (await getJson(`${server.url}/api/health/stocks`)).body;
  assert.deepEqual(await getJson(`${server.url}/healthz`), { status: 200, body: { status: "ok" } });
  await eventually(async () => (await stocks()).currentDataSource === "Alpaca", "streaming", 60_000);
  sim.control.setFault({ target: "alpaca", fault: "down" });
  await eventually(async () => (await stocks()).currentDataSource === "Yahoo", "on Yahoo", 30_000);
  sim.control.setFault({ target: "yahoo", fault: "429" });
  await eventually(
    () =>
      logLines(server).some((line) => {
        const entry = JSON.parse(line) as Record<string, unknown>;
        return (
          entry.component === "console" && entry.thread === thread && String(entry.msg).includes("/chart/")
        );
      }),
    "yahoo-finance2's console output as a JSON log line",
    30_000,
  );
  sim.control.clearFaults();
  await eventually(async () => (await stocks()).currentDataSource === "Alpaca", "back on Alpaca", 30_000);
}

const logLines = (server: ReplicaProcess) =>
  server
    .stdout()
    .split("\n")
    .filter((line) => line !== "");

/** Every line the process wrote is one JSON object with no key twice, and nothing went to stderr. */
function assertCleanOutput(server: ReplicaProcess): void {
  const lines = logLines(server);
  assert.ok(lines.length > 10, server.output());
  for (const line of lines) assert.deepEqual(duplicateKeys(line), [], line);
  assert.equal(server.stderr(), "");
  assert.doesNotMatch(server.stdout(), /Unsupported environment/);
}

describe("the compiled server (npm run build → node apps/server/dist/main.js)", () => {
  let sim: RunningSimulator;
  const dataDir = mkdtempSync(join(tmpdir(), "torghut-compiled-"));

  before(async () => {
    buildServer();
    sim = await startSimulator({
      port: 0,
      seed: 5,
      symbols: TEST_SYMBOLS,
      tradesPerSecond: 100,
      staleSessionMs: 300,
    });
  });
  after(async () => {
    await sim.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const env = (extra: Record<string, string>) => ({
    PORT: "0",
    HOST: "127.0.0.1",
    SYMBOLS: TEST_SYMBOLS.join(","),
    WS_AUTH_SECRET: TEST_SECRET,
    STARTUP_BACKFILL_MINUTES: "30",
    ...simulatorEnv(sim),
    ...extra,
  });

  test("on PGlite: serves health, fails over and back, logs only JSON lines, exits 0 on SIGTERM", async () => {
    const server = await spawnReplica(env({ DATA_DIR: dataDir }), 120_000, COMPILED);
    try {
      await exercise(server, sim, undefined);
    } finally {
      await server.kill("SIGTERM");
    }
    assert.equal(server.child.exitCode, 0, server.output().slice(-3000));
    assertCleanOutput(server);
  });

  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) {
    test("on PostgreSQL: ingest runs on its own thread from dist/worker.js, with the same clean output", async () => {
      const database: TestDatabase = await createTestDatabase(serverUrl, "torghut_compiled");
      const server = await spawnReplica(
        env({ DATABASE_URL: database.url, INGEST_THREAD: "worker" }),
        120_000,
        COMPILED,
      );
      try {
        await eventually(
          async () =>
            (await getJson(`${server.url}/api/health/datasource`)).body.ingestThread?.state === "running",
          "ingest thread running",
          60_000,
        );
        await exercise(server, sim, "ingest");
      } finally {
        await server.kill("SIGTERM");
        await database.drop();
      }
      assert.equal(server.child.exitCode, 0, server.output().slice(-3000));
      assertCleanOutput(server);
    });
  }
});
