import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { setTimeout as later } from "node:timers/promises";
import { createDb, type Database } from "@torghut/db";
import { eventually, startPgCluster, throughout, type PgCluster } from "@torghut/testing";
import { sampleTrades } from "../../test/fixtures/sample-trades";
import { encodeBinary } from "./tick-binary";
import { copyTicks } from "./tick-copy";

const QUERY_TIMEOUT_MS = 2000;

/**
 * Found by `npm run bench -- outage` at 100k ticks/s: a COPY that outlived its client-side deadline
 * (DATABASE_QUERY_TIMEOUT_MS) on a server that was slow, not gone. pg failed the COPY and nulled
 * its stream's connection; the writer then sent ROLLBACK on the same connection, and the server's
 * late CopyInResponse reached the dead stream: an uncaught TypeError that killed the process.
 */
describe("a COPY past its deadline on a server that answers late", () => {
  let cluster: PgCluster;
  let database: Database;
  let locker: Database;
  const uncaught: unknown[] = [];
  const record = (error: unknown) => void uncaught.push(error);

  before(async () => {
    cluster = await startPgCluster();
    await cluster.psql("CREATE DATABASE torghut");
    database = await createDb({
      url: cluster.url("torghut"),
      poolMax: 1,
      // The client-side deadline first, as on a server too starved to cancel in time.
      deadlines: { statementTimeoutMs: 60_000, queryTimeoutMs: QUERY_TIMEOUT_MS, connectTimeoutMs: 5000 },
    });
    locker = await createDb({ url: cluster.url("torghut"), migrate: false });
    process.on("uncaughtException", record);
  });
  after(async () => {
    process.off("uncaughtException", record);
    await database?.close();
    await locker?.close();
    await cluster?.destroy();
  });

  test("fails with the deadline; the late answer reaches nothing; the next COPY works", async () => {
    await copyTicks(database.pool!, encodeBinary(sampleTrades(10)), { synchronousCommit: false });
    // The fault, injected from outside: a lock holds the COPY unanswered past its deadline, and is
    // let go 1.5 deadlines in — when the old code waited on its ROLLBACK on that same connection.
    const lock = await locker.pool!.connect();
    await lock.query("BEGIN; LOCK TABLE ticks IN ACCESS EXCLUSIVE MODE");
    const released = later(QUERY_TIMEOUT_MS * 1.5).then(async () => {
      await lock.query("COMMIT");
      lock.release();
    });
    await assert.rejects(
      copyTicks(database.pool!, encodeBinary(sampleTrades(1000, 10)), { synchronousCommit: false }),
      /Query read timeout/,
    );
    await released;
    await eventually(
      async () =>
        (await copyTicks(database.pool!, encodeBinary(sampleTrades(10, 2000)), {
          synchronousCommit: false,
        })) === 10,
      "a COPY on a fresh connection",
      30_000,
    );
    await throughout(() => assert.deepEqual(uncaught, []), { forMs: 1000, intervalMs: 100 });
    const stored = await database.query<{ n: number }>("SELECT count(*)::int AS n FROM ticks");
    assert.equal(stored.rows[0]!.n, 20, "the abandoned COPY committed nothing");
  });
});
