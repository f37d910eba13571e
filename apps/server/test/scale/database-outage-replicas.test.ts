import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { createDb } from "@torghut/db";
import { startSimulator, type RunningSimulator } from "@torghut/market-sim";
import { eventually, startPgCluster, throughout, type PgCluster } from "@torghut/testing";
import { signToken } from "../../src/realtime/auth";
import { TestClient } from "../support/realtime";
import { getJson, simulatorEnv } from "../support/live-server";
import { spawnReplica, type ReplicaProcess } from "./replica-process";

const SECRET = "scale-out-test-secret-0123456789abcdef";
const SYMBOLS = ["AAPL", "MSFT", "TSLA", "NVDA"];
const LEASE_SECONDS = 10;
/** At 40 trades/s a feed that "keeps flowing" never goes this long without a tick. */
const MAX_TICK_GAP_MS = 2_500;

/**
 * Two real server processes over the real NATS, leadership in a PostgreSQL of the test's own that
 * the test breaks: a database outage must neither interrupt the leader's feed nor let a second
 * replica connect upstream — not even when the leader is killed during the outage.
 */
describe("two replicas and a database outage", () => {
  let sim: RunningSimulator;
  let cluster: PgCluster;
  const replicas: ReplicaProcess[] = [];
  const clients: TestClient[] = [];
  const busPrefix = `torghut-test.${process.pid}-${randomBytes(4).toString("hex")}`;

  const start = async () => {
    const replica = await spawnReplica(
      {
        PORT: "0",
        HOST: "127.0.0.1",
        ROLE: "all",
        DATABASE_URL: cluster.url(),
        BUS_URL: "nats://127.0.0.1:4222",
        BUS_SUBJECT_PREFIX: busPrefix,
        SYMBOLS: SYMBOLS.join(","),
        ...simulatorEnv(sim),
        ALPACA_CONNECTION_LIMIT_DELAY_MS: "500",
        LEADER_RETRY_MS: "300",
        LEADER_PROBE_MS: "500",
        LEADER_LEASE_SECONDS: String(LEASE_SECONDS),
        LEADER_LEASE_MARGIN_SECONDS: "1",
        DATABASE_CONNECT_TIMEOUT_MS: "1000",
        DATABASE_STATEMENT_TIMEOUT_MS: "1500",
        DATABASE_QUERY_TIMEOUT_MS: "2000",
        WS_UPDATES_PER_SECOND: "0",
        WS_AUTH_SECRET: SECRET,
        SIMULATED_MARKET: "true",
      },
      60_000,
    );
    replicas.push(replica);
    return replica;
  };
  const leader = async (replica: ReplicaProcess) =>
    (await getJson(`${replica.url}/api/health/alpaca`)).body.leader as {
      replicaId: string | null;
      isLeader: boolean;
      since: string | null;
    };
  const subscribeAll = async (replica: ReplicaProcess) => {
    const token = await signToken({ secret: SECRET, sub: "trader", ttl: "10m" });
    const client = await TestClient.connect(`${replica.url.replace("http", "ws")}/ws`, { token });
    clients.push(client);
    await client.subscribe(["lines:*"]);
    return client;
  };

  before(async () => {
    sim = await startSimulator({
      port: 0,
      seed: 31,
      symbols: SYMBOLS,
      tradesPerSecond: 40,
      staleSessionMs: 300,
    });
    cluster = await startPgCluster();
    await (await createDb({ url: cluster.url() })).close();
  });
  after(async () => {
    for (const c of clients) c.close();
    await cluster?.thaw();
    await Promise.all(replicas.map((r) => r.kill("SIGTERM")));
    await sim?.close();
    await cluster?.destroy();
  });

  test("frozen database: the leader's feed goes on; killed during an outage: nobody takes over until the database is back and the lease expired, then exactly one", async (t) => {
    const a = await start();
    await eventually(async () => (await leader(a)).isLeader, "first replica leads", 30_000);
    const b = await start();
    await eventually(async () => (await getJson(`${b.url}/readyz`)).status === 200, "standby ready", 30_000);
    const onB = await subscribeAll(b);
    await eventually(() => onB.of("tick").length >= 20, "ticks reach the standby's client", 20_000);

    // 1. A freeze shorter than the lease: A keeps leading and its feed reaches B's client throughout.
    await cluster.freeze();
    let longestGap = 0;
    try {
      const end = Date.now() + 5_000;
      let lastCount = onB.of("tick").length;
      let lastGrowth = Date.now();
      await throughout(
        async () => {
          const [ofA, ofB] = await Promise.all([leader(a), leader(b)]);
          assert.equal(ofA.isLeader, true, "the leader stepped down during a short outage");
          assert.equal(ofB.isLeader, false, "the standby led during the outage");
          const count = onB.of("tick").length;
          if (count > lastCount) lastGrowth = Date.now();
          lastCount = count;
          longestGap = Math.max(longestGap, Date.now() - lastGrowth);
        },
        { forMs: end - Date.now(), intervalMs: 200 },
      );
    } finally {
      await cluster.thaw();
    }
    assert.ok(longestGap < MAX_TICK_GAP_MS, `no tick on the standby's client for ${longestGap} ms`);

    // 2. The database goes away and the leader is killed during the outage.
    await eventually(
      async () => (await getJson(`${b.url}/readyz`)).status === 200,
      "standby ready again after the thaw",
      20_000,
    );
    await cluster.stop("fast");
    await a.kill("SIGKILL");
    const killedAt = Date.now();
    // Past the point where A's lease has expired on any clock: still nobody can take it.
    await throughout(
      async () => assert.equal((await leader(b)).isLeader, false, "the standby led without the database"),
      { forMs: killedAt + (LEASE_SECONDS + 2) * 1000 - Date.now(), intervalMs: 250 },
    );
    // 3. Back, with A's lease long expired: B takes a new term (fenced by a higher epoch).
    await cluster.start();
    await eventually(async () => (await leader(b)).isLeader, "the standby takes over", 30_000);
    const row = (await cluster.psql("SELECT holder || ' ' || epoch FROM leader_leases")).trim();
    assert.equal(row, `${b.replicaId} 2`);
    const resumedAt = Date.now();
    await eventually(
      () => onB.of("tick").filter((m) => Number(m.data?.receivedAt) > resumedAt).length >= 10,
      "ticks resume from B's own Alpaca session",
      20_000,
    );
    const counters = sim.control.counters();
    t.diagnostic(`upstream errors ${JSON.stringify(counters.errorsSent)}`);
    assert.ok(
      counters.maxConcurrentAuthenticatedSessions <= 1,
      `${counters.maxConcurrentAuthenticatedSessions} concurrent upstream sessions`,
    );
  });

  test("the database back before a killed leader's lease expired: the standby waits for the expiry", async () => {
    const b = replicas[1]!;
    const c = await start();
    await eventually(
      async () => (await getJson(`${c.url}/readyz`)).status === 200,
      "new standby ready",
      30_000,
    );
    await cluster.stop("fast");
    await b.kill("SIGKILL");
    await cluster.start();
    const expiresAt = Date.parse(
      (
        await cluster.psql(
          "SELECT to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') FROM leader_leases",
        )
      ).trim(),
    );
    assert.ok(
      expiresAt > Date.now(),
      "the killed leader's lease had already expired: the test proves nothing",
    );
    const ofC = await eventually(
      async () => {
        const view = await leader(c);
        return view.isLeader ? view : null;
      },
      "the standby takes over",
      30_000,
    );
    assert.ok(Date.parse(ofC.since!) >= expiresAt, "took over before the killed leader's lease expired");
    assert.ok(sim.control.counters().maxConcurrentAuthenticatedSessions <= 1);
  });
});
