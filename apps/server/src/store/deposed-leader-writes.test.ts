import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createDb, createTestDatabase, type Database, type TestDatabase } from "@torghut/db";
import { sampleTrades } from "../../test/fixtures/sample-trades";
import { countTicks, listRejections } from "./repositories";
import { TickWriter } from "./tick-writer";

const serverUrl = process.env.DATABASE_URL;

/**
 * docs/scaling.md, "Why tick writes are not fenced": a deposed leader's late batch (it was cut off
 * from the database, a new leader took over, then its held batch reached the database) needs no
 * epoch check. Ticks are upstream facts keyed by (symbol, event_ns, source, trade_id) and written
 * with ON CONFLICT DO NOTHING: the late batch adds exactly the trades only the old leader received
 * and is a no-op for those both received. Refusing it would lose real trades.
 */
if (serverUrl) {
  for (const method of ["copy", "json"] as const) {
    describe(`a deposed leader's late batch (${method})`, () => {
      let scratch: TestDatabase;
      let oldLeaderDb: Database;
      let newLeaderDb: Database;
      before(async () => {
        scratch = await createTestDatabase(serverUrl);
        oldLeaderDb = await createDb({ url: scratch.url });
        newLeaderDb = await createDb({ url: scratch.url, migrate: false });
      });
      after(async () => {
        await oldLeaderDb.close();
        await newLeaderDb.close();
        await scratch.drop();
      });

      test("lands after the new leader's writes: one row per trade, nothing refused, nothing lost", async () => {
        const newLeader = new TickWriter(newLeaderDb, { method, flushIntervalMs: 5 });
        const oldLeader = new TickWriter(oldLeaderDb, { method, flushIntervalMs: 5 });
        // The new leader's session starts at trade 400; the old one held trades 200..599 in memory.
        for (const trade of sampleTrades(600, 400)) newLeader.enqueue(trade);
        await newLeader.flush();
        const late = sampleTrades(400, 200).map((t) => ({ ...t, receivedAt: t.receivedAt - 30_000 }));
        for (const trade of late) oldLeader.enqueue(trade);
        await oldLeader.flush();

        assert.equal(await countTicks(newLeaderDb), 800, "trades 200..999, each once");
        const distinct = await newLeaderDb.query<{ n: string }>(
          "SELECT count(DISTINCT (symbol, trade_id))::text AS n FROM ticks",
        );
        assert.equal(distinct.rows[0]!.n, "800");
        assert.deepEqual([oldLeader.stats().dropped, oldLeader.stats().lost], [0, 0]);
        assert.deepEqual(await listRejections(newLeaderDb, 10), []);
        // The overlap keeps the row written first: a late copy changes nothing already stored.
        const overlap = await newLeaderDb.query<{ n: string }>(
          "SELECT count(*)::text AS n FROM ticks WHERE received_at < now() - interval '20 seconds'",
        );
        assert.equal(overlap.rows[0]!.n, "200", "only trades 200..399 come from the late batch");
        await Promise.all([newLeader.close(), oldLeader.close()]);
      });
    });
  }
}
