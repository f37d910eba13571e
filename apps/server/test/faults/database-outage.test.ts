import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createDb } from "@torghut/db";
import { eventually, startPgCluster, throughout, type PgCluster } from "@torghut/testing";
import { TestClient } from "../support/realtime";
import { getJson, startLiveServer, type LiveServer } from "../support/live-server";

/**
 * Short, proportionate settings: a 15 s lease rides out the 6 s outages below (plus the time
 * pg_ctl takes on a loaded machine), as the default 60 s one rides out 40 s ones.
 */
const OUTAGE_ENV = {
  LEADER_LEASE_SECONDS: "15",
  LEADER_LEASE_MARGIN_SECONDS: "1",
  LEADER_PROBE_MS: "500",
  LEADER_RETRY_MS: "500",
  DATABASE_PROBE_INTERVAL_MS: "300",
  DATABASE_PROBE_TIMEOUT_MS: "1000",
  DATABASE_STATEMENT_TIMEOUT_MS: "1500",
  DATABASE_QUERY_TIMEOUT_MS: "2000",
  DATABASE_CONNECT_TIMEOUT_MS: "1000",
  WS_UPDATES_PER_SECOND: "0",
};
const OUTAGE_MS = 6_000;
/** At 200 trades/s a feed that "keeps flowing" never goes this long without a tick. */
const MAX_TICK_GAP_MS = 2_000;

interface Sample {
  at: number;
  ticks: number;
  ready: number;
  live: number;
  databaseReady: boolean | undefined;
  isLeader: boolean | undefined;
}

/**
 * Issue #15's finding on the composed server (ingest on its worker thread, PostgreSQL of the test's
 * own): a database outage froze every trader's prices. Now the live path never waits for the
 * database, leadership outlives an outage shorter than the lease, and /readyz names the database.
 */
describe("a database outage under a running Torghut", () => {
  let cluster: PgCluster;
  let live: LiveServer;
  let client: TestClient;

  before(async () => {
    cluster = await startPgCluster();
    await (await createDb({ url: cluster.url() })).close();
    live = await startLiveServer({ DATABASE_URL: cluster.url(), ...OUTAGE_ENV });
    client = await TestClient.connect(`${live.url.replace("http", "ws")}/ws`, {
      token: await live.token("trader"),
    });
    await client.subscribe(["lines:*"]);
  });
  after(async () => {
    client?.close();
    await cluster?.thaw();
    await live?.close();
    await cluster?.destroy();
  });

  const sample = async (): Promise<Sample> => {
    const [ready, liveness, alpaca] = await Promise.all([
      getJson(`${live.url}/readyz`),
      getJson(`${live.url}/livez`),
      getJson(`${live.url}/api/health/alpaca`),
    ]);
    return {
      at: Date.now(),
      ticks: client.of("tick").length,
      ready: ready.status,
      live: liveness.status,
      databaseReady: ready.body?.dependencies?.database?.ready,
      isLeader: alpaca.body?.leader?.isLeader,
    };
  };

  /** Samples every ~200 ms for `ms`, so the assertions see the whole outage, not its ends. */
  const watch = (ms: number): Promise<Sample[]> => throughout(sample, { forMs: ms, intervalMs: 200 });

  const assertFeedFlowed = (samples: Sample[], what: string) => {
    assert.ok(
      samples.every((s) => s.isLeader === true),
      `${what}: leadership lost`,
    );
    assert.ok(
      samples.every((s) => s.live === 200),
      `${what}: /livez not always 200`,
    );
    let lastGrowth = samples[0]!.at;
    let longest = 0;
    for (let i = 1; i < samples.length; i++) {
      if (samples[i]!.ticks > samples[i - 1]!.ticks) lastGrowth = samples[i]!.at;
      longest = Math.max(longest, samples[i]!.at - lastGrowth);
    }
    assert.ok(longest < MAX_TICK_GAP_MS, `${what}: no tick for ${longest} ms`);
  };

  const healthy = async (what: string) =>
    eventually(
      async () => {
        const s = await sample();
        return s.ready === 200 && s.isLeader === true && s.ticks > 0 ? s : null;
      },
      what,
      30_000,
    );

  test("frozen (SIGSTOP): ticks keep reaching /ws, /readyz is 503 naming the database, 200 after the thaw", async () => {
    await healthy("ready and streaming before the freeze");
    await cluster.freeze();
    let samples: Sample[];
    try {
      samples = await watch(OUTAGE_MS);
    } finally {
      await cluster.thaw();
    }
    assertFeedFlowed(samples, "during the freeze");
    const notReady = samples.filter((s) => s.ready === 503);
    assert.ok(notReady.length > 0, "/readyz never said 503 while the database was frozen");
    assert.ok(
      notReady.every((s) => s.databaseReady === false),
      "a 503 during the freeze did not name the database",
    );
    await healthy("ready again after the thaw, without a restart");
    const body = (await getJson(`${live.url}/readyz`)).body;
    assert.equal(body.dependencies.database.ready, true);
    assert.ok(live.sim.control.counters().maxConcurrentAuthenticatedSessions <= 1);
  });

  test("stopped (pg_ctl stop): the same, and 200 after pg_ctl start", async () => {
    await healthy("ready and streaming before the stop");
    await cluster.stop("fast");
    let samples: Sample[];
    try {
      samples = await watch(OUTAGE_MS);
    } finally {
      await cluster.start();
    }
    assertFeedFlowed(samples, "while the database refused connections");
    assert.ok(
      samples.some((s) => s.ready === 503 && s.databaseReady === false),
      "/readyz never named the refused database",
    );
    await healthy("ready again after the start, without a restart");
    assert.ok(live.sim.control.counters().maxConcurrentAuthenticatedSessions <= 1);
  });
});
