import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { createTestDatabase, type TestDatabase } from "@torghut/db";
import { startSimulator, type RunningSimulator } from "@torghut/market-sim";
import { signToken } from "../../src/realtime/auth";
import { TestClient, type ServerMessage } from "../support/realtime";
import { eventually } from "@torghut/testing";
import { getJson, simulatorEnv } from "../support/live-server";
import { spawnReplica, type ReplicaProcess } from "./replica-process";

const serverUrl = process.env.DATABASE_URL;
const SECRET = "scale-out-test-secret-0123456789abcdef";
const SYMBOLS = ["AAPL", "MSFT", "TSLA", "NVDA"];

const tradeKey = (m: ServerMessage) =>
  `${String(m.data?.symbol)}:${String(m.data?.tradeId)}:${String(m.data?.source)}`;
const ticks = (client: TestClient) => client.of("tick");

// Two real server processes, the real nats-server and the real PostgreSQL (leadership is a lock there).
if (serverUrl !== undefined) {
  describe("two replicas over NATS with one Alpaca leader", () => {
    let sim: RunningSimulator;
    let db: TestDatabase;
    const replicas: ReplicaProcess[] = [];
    const clients: TestClient[] = [];

    // One prefix for both replicas of this run; unique per run so parallel runs never cross.
    const busPrefix = `torghut-test.${process.pid}-${randomBytes(4).toString("hex")}`;
    const start = async () => {
      const replica = await spawnReplica({
        PORT: "0",
        HOST: "127.0.0.1",
        ROLE: "all",
        DATABASE_URL: db.url,
        BUS_URL: "nats://127.0.0.1:4222",
        BUS_SUBJECT_PREFIX: busPrefix,
        SYMBOLS: SYMBOLS.join(","),
        ...simulatorEnv(sim),
        // The killed leader's session lingers (staleSessionMs) and answers 406; retry soon after it is reaped.
        ALPACA_CONNECTION_LIMIT_DELAY_MS: "500",
        LEADER_RETRY_MS: "300",
        LEADER_PROBE_MS: "500",
        // A short lease: the SIGKILLed leader's successor waits for it to expire.
        LEADER_LEASE_SECONDS: "3",
        LEADER_LEASE_MARGIN_SECONDS: "0.5",
        // Every tick to every client, so both replicas' streams can be compared one to one.
        WS_UPDATES_PER_SECOND: "0",
        WS_AUTH_SECRET: SECRET,
        SIMULATED_MARKET: "true",
      });
      replicas.push(replica);
      return replica;
    };
    const health = async (replica: ReplicaProcess) =>
      (await getJson(`${replica.url}/api/health/alpaca`)).body;
    const subscribeAll = async (replica: ReplicaProcess) => {
      const token = await signToken({
        secret: SECRET,
        sub: `trader-${replica.replicaId.slice(0, 8)}`,
        ttl: "10m",
      });
      const client = await TestClient.connect(`${replica.url.replace("http", "ws")}/ws`, { token });
      clients.push(client);
      await client.subscribe(["lines:*"]);
      return client;
    };

    before(async () => {
      sim = await startSimulator({
        port: 0,
        seed: 21,
        symbols: SYMBOLS,
        tradesPerSecond: 40,
        staleSessionMs: 300,
      });
      db = await createTestDatabase(serverUrl);
    });
    after(async () => {
      for (const c of clients) c.close();
      await Promise.all(replicas.map((r) => r.kill("SIGTERM")));
      await sim.close();
      await db.drop();
    });

    /** Storage maintenance rounds a replica has run (its /metrics, ingest thread included). */
    async function maintenanceRounds(replica: { url: string }): Promise<number> {
      const text = await (await fetch(`${replica.url}/metrics`)).text();
      const found = /^torghut_store_maintenance_runs_total\{outcome="ok"\} (\d+)/m.exec(text);
      return Number(found?.[1] ?? 0);
    }

    test("a client on each replica gets every tick; killing the leader hands over without two upstream sessions", async (t) => {
      const a = await start();
      await eventually(
        async () => (await health(a)).leader?.isLeader === true,
        "first replica leads",
        20_000,
      );
      const b = await start();
      await eventually(
        async () => (await getJson(`${b.url}/readyz`)).status === 200,
        "standby ready on leader data",
        20_000,
      );
      const standby = await health(b);
      assert.equal(standby.replica.isLeader, false);
      // Partition DDL and retention run on the leader only (store/maintenance).
      await eventually(
        async () => (await maintenanceRounds(a)) >= 1,
        "the leader's maintenance round",
        20_000,
      );
      assert.equal(await maintenanceRounds(b), 0, "a standby runs no maintenance");
      assert.equal(standby.leader.replicaId, a.replicaId, "the standby names the leader");
      assert.equal(standby.alpacaStatus.connected, false, "a standby never connects upstream");

      const onA = await subscribeAll(a);
      const onB = await subscribeAll(b);
      await eventually(
        () => ticks(onA).length >= 90 && ticks(onB).length >= 90,
        "ticks on both replicas",
        20_000,
      );
      // Away from the subscription edges both must hold the same ticks (a consumer group would split them).
      const keysA = new Set(ticks(onA).map(tradeKey));
      const keysB = new Set(ticks(onB).map(tradeKey));
      const middleB = ticks(onB).slice(20, 80).map(tradeKey);
      const middleA = ticks(onA).slice(20, 80).map(tradeKey);
      assert.deepEqual(
        middleB.filter((k) => !keysA.has(k)),
        [],
        "ticks B got that A did not",
      );
      assert.deepEqual(
        middleA.filter((k) => !keysB.has(k)),
        [],
        "ticks A got that B did not",
      );
      assert.ok(
        ticks(onB).every((m) => m.data?.source === "alpaca"),
        "all from the leader's Alpaca session",
      );

      const killedAt = Date.now();
      await a.kill("SIGKILL");
      await eventually(
        async () => (await health(b)).leader?.isLeader === true,
        "the standby takes over",
        20_000,
      );
      const resumedFromAlpaca = () =>
        ticks(onB).filter((m) => Number(m.data?.receivedAt) > killedAt && m.data?.source === "alpaca").length;
      await eventually(
        () => resumedFromAlpaca() >= 10,
        "Alpaca ticks resume on the surviving replica",
        20_000,
      );
      const after = await health(b);
      assert.equal(after.leader.replicaId, b.replicaId);
      await eventually(
        async () => (await maintenanceRounds(b)) >= 1,
        "the new leader's maintenance round",
        20_000,
      );
      const counters = sim.control.counters();
      const sources = new Set(
        ticks(onB)
          .filter((m) => Number(m.data?.receivedAt) > killedAt)
          .map((m) => String(m.data?.source)),
      );
      t.diagnostic(
        `after failover: sources ${[...sources].join(",")}; upstream errors ${JSON.stringify(counters.errorsSent)}`,
      );
      assert.ok(
        counters.maxConcurrentAuthenticatedSessions <= 1,
        `${counters.maxConcurrentAuthenticatedSessions} concurrent upstream sessions`,
      );
    });
  });
}
