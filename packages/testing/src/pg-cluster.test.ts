import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { startPgCluster, type PgCluster } from "./pg-cluster";

describe("startPgCluster: a PostgreSQL of the test's own to break", () => {
  let cluster: PgCluster;
  before(async () => {
    cluster = await startPgCluster();
  });
  after(async () => {
    await cluster?.destroy();
  });

  it("answers queries, refuses connections when stopped, and answers again when started", async () => {
    assert.equal((await cluster.psql("SELECT 40 + 2")).trim(), "42");
    await cluster.stop();
    const refused = new pg.Client({ connectionString: cluster.url(), connectionTimeoutMillis: 2_000 });
    await assert.rejects(refused.connect(), /ECONNREFUSED/);
    await cluster.start();
    assert.equal((await cluster.psql("SELECT 1")).trim(), "1");
  });

  it("a frozen cluster keeps the connection open and answers nothing until thawed", async () => {
    const client = new pg.Client({ connectionString: cluster.url(), query_timeout: 1_000 });
    await client.connect();
    try {
      await cluster.freeze();
      await assert.rejects(client.query("SELECT 1"), /timeout/i);
      await cluster.thaw();
      const fresh = new pg.Client({ connectionString: cluster.url() });
      await fresh.connect();
      assert.equal((await fresh.query("SELECT 7 AS n")).rows[0].n, 7);
      await fresh.end();
    } finally {
      await cluster.thaw();
      await client.end().catch(() => undefined);
    }
  });
});
