import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import { createDb } from "@torghut/db";
import { eventually, startPgCluster, type PgCluster } from "@torghut/testing";
import pg from "pg";
import { LeaseElector, LEGACY_ADVISORY_LOCK_KEY } from "./lease-elector";

const LEASE_MS = 3_000;
const MARGIN_MS = 500;

describe("LeaseElector against a PostgreSQL of the test's own", () => {
  let cluster: PgCluster;
  let electors: LeaseElector[] = [];
  /** Leaders at this instant across every elector of the test, and the most ever seen at once. */
  let census = { now: 0, max: 0 };

  const elector = (replicaId: string, leaseMs = LEASE_MS) => {
    const e = new LeaseElector({
      connectionString: cluster.url(),
      replicaId,
      leaseMs,
      marginMs: MARGIN_MS,
      renewMs: 200,
      retryMs: 200,
    });
    e.onChange((leading) => {
      census.now += leading ? 1 : -1;
      census.max = Math.max(census.max, census.now);
    });
    electors.push(e);
    return e;
  };

  before(async () => {
    cluster = await startPgCluster();
    const database = await createDb({ url: cluster.url() });
    await database.close();
  });
  afterEach(async () => {
    await cluster.thaw();
    await Promise.all(electors.map((e) => e.stop()));
    electors = [];
    census = { now: 0, max: 0 };
    await cluster.psql("DELETE FROM leader_leases");
  });
  after(async () => {
    await cluster?.destroy();
  });

  test("one of two leads; stop() gives the lease back and the other takes over at once", async () => {
    const a = elector("a", 60_000);
    const b = elector("b", 60_000);
    await a.start();
    assert.equal(a.isLeader, true, "a lone replica leads as soon as start() returns");
    assert.equal(a.currentEpoch, 1);
    await b.start();
    assert.equal(b.isLeader, false);
    await a.stop();
    // A 60 s lease: only the handover, not expiry, can make b lead within the deadline.
    await eventually(() => b.isLeader, "b takes over after a gave the lease back", 5_000);
    assert.equal(b.currentEpoch, 2, "a new term has a higher fencing epoch");
    assert.equal(census.max, 1);
  });

  test("a database freeze shorter than the lease leaves the leader leading; nobody else leads", async () => {
    const a = elector("a");
    const b = elector("b");
    await a.start();
    await b.start();
    await cluster.freeze();
    const frozenAt = Date.now();
    // Poll through most of the freeze: a keeps leading although every renewal fails.
    await eventually(
      () => Date.now() - frozenAt > LEASE_MS - MARGIN_MS - 1_000 || !a.isLeader,
      "freeze time",
    );
    assert.equal(a.isLeader, true, "the leader stepped down during a short database outage");
    await cluster.thaw();
    await eventually(async () => {
      const row = await cluster.psql("SELECT holder || ':' || epoch FROM leader_leases");
      return row.trim() === "a:1" && a.isLeader;
    }, "a renews the same term after the thaw");
    assert.equal(b.isLeader, false);
    assert.equal(census.max, 1);
  });

  test("a freeze longer than the lease: the leader steps down before anyone could take over, then exactly one leads", async () => {
    const a = elector("a");
    const b = elector("b");
    await a.start();
    await b.start();
    await cluster.freeze();
    await eventually(() => !a.isLeader, "a steps down once its lease could have expired", LEASE_MS + 2_000);
    // Still frozen: nobody can reach the database, so nobody leads.
    assert.equal(b.isLeader, false);
    assert.equal(census.now, 0);
    await cluster.thaw();
    await eventually(() => a.isLeader || b.isLeader, "one replica leads after the thaw", 10_000);
    assert.equal(census.max, 1, "two leaders at once");
    const epoch = (a.currentEpoch ?? b.currentEpoch)!;
    assert.equal(epoch, 2, "the new term is fenced with a higher epoch");
  });

  test("a stopped database: leading continues through a short refusal, no second leader after the restart", async () => {
    const a = elector("a");
    const b = elector("b");
    await a.start();
    await b.start();
    await cluster.stop();
    await cluster.start();
    await eventually(async () => {
      const row = await cluster.psql("SELECT holder FROM leader_leases");
      return row.trim() === "a" && a.isLeader;
    }, "a renews after the restart");
    assert.equal(census.max, 1);
  });

  test("stop() during a freeze returns while the database is still frozen: shutdown never hangs on it", async () => {
    const a = elector("a");
    await a.start();
    await cluster.freeze();
    try {
      await a.stop();
      assert.equal(a.isLeader, false);
      assert.equal(census.now, 0);
    } finally {
      await cluster.thaw();
    }
  });

  test("a replica of the previous release holding the advisory lock keeps the lease from being taken", async () => {
    const legacy = new pg.Client({ connectionString: cluster.url(), application_name: "torghut-leader:old" });
    await legacy.connect();
    try {
      await legacy.query("SELECT pg_advisory_lock($1::bigint)", [LEGACY_ADVISORY_LOCK_KEY]);
      const a = elector("a");
      await a.start();
      assert.equal(a.isLeader, false, "two Alpaca sessions during a rolling upgrade");
      await legacy.end();
      await eventually(() => a.isLeader, "a leads once the previous release let go", 5_000);
    } finally {
      await legacy.end().catch(() => undefined);
    }
  });
});
