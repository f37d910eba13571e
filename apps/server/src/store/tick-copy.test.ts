import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { createDb, createTestDatabase, type Database, type TestDatabase } from "@torghut/db";
import { sampleTrades } from "../../test/fixtures/sample-trades";
import { countTicks, queryTicks } from "./repositories";
import { encodeBinary } from "./tick-binary";
import { copyTicks } from "./tick-copy";

const serverUrl = process.env.DATABASE_URL;

// Binary COPY goes through node-postgres: PostgreSQL only (PGlite decodes the same bytes in
// tick-binary.test.ts).
if (serverUrl) {
  for (const synchronousCommit of [true, false]) {
    describe(`copyTicks on PostgreSQL (synchronous_commit ${synchronousCommit ? "on" : "off"})`, () => {
      let scratch: TestDatabase;
      let database: Database;
      before(async () => {
        scratch = await createTestDatabase(serverUrl);
        // One connection: every call below reuses the session the previous one left behind.
        database = await createDb({ url: scratch.url, poolMax: 1 });
      });
      after(async () => {
        await database.close();
        await scratch.drop();
      });
      beforeEach(() => database.query("TRUNCATE ticks"));
      const copy = (trades: ReturnType<typeof sampleTrades>) =>
        copyTicks(database.pool!, encodeBinary(trades), { synchronousCommit });

      test("a batch of new rows goes straight in and reads back whole", async () => {
        const trades = sampleTrades(2_000);
        assert.equal(await copy(trades), 2_000);
        assert.equal(await countTicks(database), 2_000);
        const stored = await queryTicks(database, "AAPL", 0, Date.UTC(2100, 0, 1), 1);
        assert.deepEqual(stored, [trades[0]]);
      });

      test("a batch that repeats stored rows, or itself, stores only the new ones", async () => {
        const trades = sampleTrades(1_000);
        assert.equal(await copy(trades.slice(0, 600)), 600);
        const replay = [...trades.slice(400), trades[999]!, { ...trades[999]! }];
        assert.equal(await copy(replay), 400);
        assert.equal(await copy(replay), 0);
        assert.equal(await countTicks(database), 1_000);
        // The fallback's transaction is closed and the next batch takes the fast path again.
        assert.equal(await copy(sampleTrades(10, 5_000)), 10);
        const setting = await database.query<{ s: string }>(
          "SELECT current_setting('synchronous_commit') AS s",
        );
        assert.equal(setting.rows[0]?.s, "on", "SET LOCAL must not outlive the writer's transaction");
      });

      test("a refused row fails the batch with its SQLSTATE and leaves the connection usable", async () => {
        const [good, bad] = sampleTrades(2);
        await assert.rejects(copy([good!, { ...bad!, size: Number.POSITIVE_INFINITY }]), { code: "23502" });
        assert.equal(await countTicks(database), 0);
        assert.equal(await copy([good!]), 1);
      });
    });
  }
}
