import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { pino } from "pino";
import { startSimulator, type RunningSimulator } from "@torghut/market-sim";
import { eventually, startPgCluster, type PgCluster } from "@torghut/testing";
import { InProcessBus } from "../../src/bus";
import { systemClock } from "../../src/clock";
import { loadConfig } from "../../src/config";
import { IngestThread } from "../../src/ingest-thread/ingest-thread";
import { registry } from "../../src/metrics/registry";
import { simulatorEnv, TEST_SYMBOLS } from "../support/live-server";

const lostToCrashes = async () =>
  (await registry.getSingleMetric("torghut_ticks_lost_total")!.get()).values.find(
    (v) => v.labels.reason === "ingest_thread_crash",
  )?.value ?? 0;

describe("an ingest thread that dies during a database outage", () => {
  let cluster: PgCluster;
  let sim: RunningSimulator;
  const dataDir = mkdtempSync(join(tmpdir(), "torghut-crash-"));
  const logs: Record<string, unknown>[] = [];
  /** Delivered trades (by `untilMs`) neither in `ticks` nor refused as invalid. */
  const missing = async (untilMs: number): Promise<string[]> => {
    const stored = new Set(
      (
        await cluster.psql(
          `SELECT symbol || ':' || trade_id FROM ticks WHERE source = 'alpaca'
           UNION ALL SELECT symbol || ':' || (payload->>'tradeId') FROM validation_rejections WHERE source = 'alpaca'`,
          "torghut",
        )
      )
        .split("\n")
        .filter((l) => l.length > 0),
    );
    return sim.control.deliveredTrades(untilMs).filter((key) => !stored.has(key));
  };
  const logger = pino({ level: "info" }, { write: (line: string) => void logs.push(JSON.parse(line)) });

  before(async () => {
    cluster = await startPgCluster();
    await cluster.psql("CREATE DATABASE torghut");
    sim = await startSimulator({
      port: 0,
      seed: 5,
      symbols: TEST_SYMBOLS,
      tradesPerSecond: 300,
      staleSessionMs: 300,
      recordTrades: true,
    });
  });
  after(async () => {
    await sim?.close();
    await cluster?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test("an uncaught error spools the writer's buffer (0 lost); a thread killed without a word counts what it held as lost", async () => {
    const config = loadConfig({
      DATABASE_URL: cluster.url("torghut"),
      DATA_DIR: dataDir,
      SYMBOLS: TEST_SYMBOLS.join(","),
      LOG_LEVEL: "silent",
      INGEST_THREAD: "worker",
      ...simulatorEnv(sim),
      SIMULATED_MARKET: "true",
      // Held in memory for the whole test: only the crash path may move ticks to the spool.
      SPOOL_AFTER_MS: "600000",
    });
    const thread = new IngestThread({
      config,
      replicaId: "crash-test",
      bus: new InProcessBus({ replicaId: "crash-test" }),
      knownLeader: () => null,
      logger,
      clock: systemClock,
      restartDelayMs: { base: 50, max: 200 },
    });
    await thread.start();
    try {
      await eventually(() => (thread.views.writer()?.committed ?? 0) > 100, "ticks committed", 60_000);
      await cluster.stop("fast");
      await eventually(
        () => (thread.views.writer()?.queueDepth ?? 0) > 0,
        "ticks held during the outage",
        30_000,
      );
      const lostBefore = await lostToCrashes();

      const crashedAt = Date.now();
      await thread.throwUncaught().catch(() => undefined);
      await eventually(() => thread.thread().restarts >= 1, "the thread died", 60_000);
      const died = logs.find((l) => String(l.msg).startsWith("ingest thread died"));
      assert.ok(died, "the HTTP thread logs the death");
      assert.equal(died.lost, 0);
      assert.ok(Number(died.spooled) > 0, JSON.stringify(died));
      assert.equal(await lostToCrashes(), lostBefore);
      assert.ok(readdirSync(join(dataDir, "spool")).some((n) => n.endsWith(".seg")));

      // A new thread cannot open storage until the database is back; then it replays the spool.
      await cluster.start();
      await eventually(() => thread.thread().state === "running", "the new thread running", 90_000);
      await eventually(
        () => !readdirSync(join(dataDir, "spool")).some((n) => n.endsWith(".seg")),
        "the spool replayed once the database is back",
        90_000,
      );
      // The writer's view is the thread's last snapshot (every ~100 ms): it catches up with the replay.
      await eventually(
        () => thread.views.writer()?.replayed === died.spooled,
        `${String(died.spooled)} replayed (the view says ${thread.views.writer()?.replayed})`,
        30_000,
      );
      // Counted against the simulator: every trade it delivered before the crash is stored (frames
      // still unread in the socket at the crash were never accepted, hence the second).
      await eventually(
        async () => (await missing(crashedAt - 1000)).length === 0,
        "every trade delivered before the crash stored",
        60_000,
      );

      // Frozen database, then the thread killed outright (no handler runs): what it held is lost, and counted.
      await cluster.freeze();
      await eventually(() => (thread.views.writer()?.queueDepth ?? 0) > 0, "ticks held while frozen", 30_000);
      const held = thread.views.writer()!.queueDepth;
      const restarts = thread.thread().restarts;
      await thread.crash();
      await eventually(() => thread.thread().restarts > restarts, "the kill noticed", 60_000);
      const counted = (await lostToCrashes()) - lostBefore;
      assert.ok(counted >= held, "a silent death is counted, not zero");
      const killedAt = Date.now();
      await cluster.thaw();
      // What the silent death lost is at most what it counted (the writer's depth at its last report,
      // 100 ms before): every other trade delivered up to a second before the kill is stored.
      await eventually(
        async () => (await missing(killedAt - 1000)).length <= counted,
        `at most the ${counted} counted as lost are missing`,
        60_000,
      );
    } finally {
      await thread.stop();
    }
  });
});
