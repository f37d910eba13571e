import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { createServer } from "node:net";
import { test } from "node:test";
import pg from "pg";
import { createDb, DatabaseError, DEFAULT_MIGRATIONS_FOLDER } from "./client";
import { createTestDatabase } from "./testing";

test("an unreachable PostgreSQL fails createDb with a retryable DatabaseError", async () => {
  // A port that was just free: connection refused, no guessing at fixed port numbers.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const address = probe.address();
  const port = typeof address === "object" && address ? address.port : 0;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  await assert.rejects(createDb({ url: `postgres://postgres@127.0.0.1:${port}/none` }), (error: unknown) => {
    assert.ok(error instanceof DatabaseError);
    assert.equal(error.retryable, true);
    assert.match(error.message, /applying migrations failed/);
    return true;
  });
});

const serverUrl = process.env.DATABASE_URL;
if (serverUrl) {
  test("createTestDatabase gives each caller its own database and drop() removes it", async () => {
    const [a, b] = await Promise.all([createTestDatabase(serverUrl), createTestDatabase(serverUrl)]);
    assert.notEqual(a.url, b.url);
    const database = await createDb({ url: a.url });
    assert.equal(database.driver, "postgres");
    await database.query("INSERT INTO symbols (symbol, name) VALUES ('AAPL', 'Apple Inc.')");
    const other = await createDb({ url: b.url });
    assert.equal((await other.query<{ n: number }>("SELECT count(*)::int AS n FROM symbols")).rows[0]?.n, 0);
    await Promise.all([database.close(), other.close()]);
    await Promise.all([a.drop(), b.drop()]);
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    const left = await admin.query("SELECT 1 FROM pg_database WHERE datname = ANY($1)", [
      [new URL(a.url).pathname.slice(1), new URL(b.url).pathname.slice(1)],
    ]);
    await admin.end();
    assert.equal(left.rowCount, 0);
  });

  test("replicas starting together migrate once (advisory lock)", async () => {
    const scratch = await createTestDatabase(serverUrl);
    try {
      const replicas = await Promise.all([1, 2, 3].map(() => createDb({ url: scratch.url, poolMax: 2 })));
      const journal = await replicas[0]!.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations",
      );
      const migrations = readdirSync(DEFAULT_MIGRATIONS_FOLDER).filter((name) => name.endsWith(".sql"));
      assert.equal(journal.rows[0]?.n, migrations.length, "each migration applied exactly once");
      await Promise.all(replicas.map((r) => r.close()));
    } finally {
      await scratch.drop();
    }
  });
}

if (serverUrl) {
  test("a transaction whose connection the server ends fails, and the process and the pool carry on", async () => {
    const scratch = await createTestDatabase(serverUrl);
    const database = await createDb({ url: scratch.url, poolMax: 2 });
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    try {
      await assert.rejects(
        database.transaction(async (tx) => {
          const { rows } = await tx.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
          const pid = rows[0]!.pid;
          // From outside, as a server stop or an operator does: the session is ended between two
          // statements, while no query of ours is in flight.
          await admin.query("SELECT pg_terminate_backend($1)", [pid]);
          const deadline = Date.now() + 10_000;
          for (;;) {
            const left = await admin.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1", [pid]);
            if (left.rowCount === 0) break;
            if (Date.now() > deadline) throw new Error("the backend did not end within 10 s");
          }
          await tx.query("SELECT 1");
        }),
      );
      // The broken connection was discarded: the next statements run on a fresh one.
      assert.equal((await database.query<{ n: number }>("SELECT 1 AS n")).rows[0]?.n, 1);
      assert.equal(await database.transaction(async (tx) => (await tx.query("SELECT 1")).rowCount), 1);
    } finally {
      await admin.end();
      await database.close();
      await scratch.drop();
    }
  });
}
