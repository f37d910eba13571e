import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createTestDatabase, type TestDatabase } from "@torghut/db";
import pg from "pg";
import { eventually } from "@torghut/testing";
import { AdvisoryLockElector } from "./advisory-lock-elector";

const serverUrl = process.env.DATABASE_URL;

// Real PostgreSQL only (PGlite has one process, which always leads): registered when DATABASE_URL is set.
if (serverUrl !== undefined) {
  describe("AdvisoryLockElector against the real PostgreSQL", () => {
    let db: TestDatabase;
    let admin: pg.Client;
    const electors: AdvisoryLockElector[] = [];
    /** Leaders at this instant across every elector of the test, and the most ever seen at once. */
    const census = { now: 0, max: 0 };

    const elector = (replicaId: string) => {
      const e = new AdvisoryLockElector({ connectionString: db.url, replicaId, retryMs: 100, probeMs: 200 });
      e.onChange((leading) => {
        census.now += leading ? 1 : -1;
        census.max = Math.max(census.max, census.now);
      });
      electors.push(e);
      return e;
    };
    const backendOf = async (replicaId: string) => {
      const { rows } = await admin.query<{ pid: number }>(
        "SELECT pid FROM pg_stat_activity WHERE application_name = $1",
        [`torghut-leader:${replicaId}`],
      );
      return rows[0]?.pid;
    };

    before(async () => {
      db = await createTestDatabase(serverUrl);
      admin = new pg.Client({ connectionString: db.url });
      await admin.connect();
    });
    after(async () => {
      await Promise.all(electors.map((e) => e.stop()));
      await admin.end();
      await db.drop();
    });

    test("one of two leads; killing its lock connection hands over to the other, never both at once", async () => {
      const a = elector("elector-a");
      const b = elector("elector-b");
      await a.start();
      assert.equal(a.isLeader, true, "a lone replica leads as soon as start() returns");
      assert.ok(a.leaderSince !== null);
      await b.start();
      assert.equal(b.isLeader, false);

      const pid = await backendOf("elector-a");
      assert.ok(pid !== undefined, "the leader holds its own connection");
      await admin.query("SELECT pg_terminate_backend($1)", [pid]);
      await eventually(() => !a.isLeader && b.isLeader, "b takes over", 10_000);

      // Back the other way: a, standing by again on a new connection, takes over when b goes.
      await b.stop();
      await eventually(() => a.isLeader, "a leads again after b stepped down", 10_000);
      assert.equal(census.max, 1, "two leaders at the same time");
      assert.equal(census.now, 1);
    });

    test("the lock is per database: a replica of another deployment is not blocked", async () => {
      const other = await createTestDatabase(serverUrl);
      try {
        const here = elector("here");
        await here.start();
        const there = new AdvisoryLockElector({
          connectionString: other.url,
          replicaId: "there",
          retryMs: 100,
          probeMs: 200,
        });
        await there.start();
        try {
          assert.equal(there.isLeader, true);
        } finally {
          await there.stop();
        }
      } finally {
        await other.drop();
      }
    });
  });
}
