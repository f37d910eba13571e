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
