import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startPgCluster, type PgCluster } from "@torghut/testing";
import { createDb, QueryDeadlineError, type Database } from "./client";

describe("pool deadlines against a PostgreSQL that stops answering", () => {
  let cluster: PgCluster;
  let database: Database;
  before(async () => {
    cluster = await startPgCluster();
    database = await createDb({
      url: cluster.url(),
      migrate: false,
      deadlines: { queryTimeoutMs: 1_000, statementTimeoutMs: 800, connectTimeoutMs: 1_000 },
    });
  });
  after(async () => {
    await database?.close().catch(() => undefined);
    await cluster?.destroy();
  });

  it("sets statement_timeout on every pooled connection", async () => {
    const { rows } = await database.query<{ statement_timeout: string }>("SHOW statement_timeout");
    assert.equal(rows[0]?.statement_timeout, "800ms");
    await assert.rejects(database.query("SELECT pg_sleep(5)"), (error: unknown) => {
      assert.equal((error as { code?: string }).code, "57014", "the server cancelled the statement");
      return true;
    });
  });

  it("a frozen server fails the query with QueryDeadlineError, and a fresh connection works after thaw", async () => {
    // An idle pooled connection exists, so the query goes to a server that accepted it and now
    // answers nothing: only the client-side deadline can end the wait.
    assert.equal((await database.query<{ n: number }>("SELECT 1 AS n")).rows[0]?.n, 1);
    const before = await database.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    await cluster.freeze();
    try {
      await assert.rejects(database.query("SELECT 2"), (error: unknown) => {
        assert.ok(error instanceof QueryDeadlineError, `got ${String(error)}`);
        assert.equal(error.retryable, true);
        return true;
      });
    } finally {
      await cluster.thaw();
    }
    const after = await database.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    assert.notEqual(after.rows[0]?.pid, before.rows[0]?.pid, "the timed-out connection was discarded");
  });
});
