import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createDb, type Database } from "@torghut/db";
import { eventually, startPgCluster, type PgCluster } from "@torghut/testing";
import { systemClock } from "../clock";
import { createLogger } from "../logger";
import { DatabaseProbe } from "./database-probe";

describe("DatabaseProbe against a PostgreSQL of the test's own", () => {
  let cluster: PgCluster;
  let database: Database;
  let probe: DatabaseProbe;
  before(async () => {
    cluster = await startPgCluster();
    database = await createDb({
      url: cluster.url(),
      migrate: false,
      deadlines: { connectTimeoutMs: 500, statementTimeoutMs: 500, queryTimeoutMs: 600 },
    });
    probe = new DatabaseProbe(database, {
      intervalMs: 100,
      timeoutMs: 300,
      clock: systemClock,
      logger: createLogger("silent"),
    });
    probe.start();
  });
  after(async () => {
    probe?.stop();
    await cluster?.thaw();
    await database?.close().catch(() => undefined);
    await cluster?.destroy();
  });

  it("reports a frozen database unreachable while it answers nothing, and reachable after the thaw", async () => {
    await eventually(() => probe.view().lastOkAt !== null, "a first answer");
    assert.equal(probe.view().reachable, true);
    await cluster.freeze();
    try {
      const down = await eventually(() => {
        const view = probe.view();
        return view.reachable ? null : view;
      }, "the probe to notice the freeze");
      assert.notEqual(down.failingSince, null);
      assert.match(down.lastError ?? "", /no answer within 300 ms|did not answer/);
    } finally {
      await cluster.thaw();
    }
    await eventually(() => probe.view().reachable, "the probe to see the database again", 10_000);
  });

  it("reports a stopped database unreachable with the refusal, and reachable after the start", async () => {
    await cluster.stop();
    try {
      const down = await eventually(() => {
        const view = probe.view();
        return view.reachable ? null : view;
      }, "the probe to notice the stop");
      assert.ok(down.lastError !== null);
    } finally {
      await cluster.start();
    }
    await eventually(() => probe.view().reachable, "the probe to see the database again", 10_000);
  });
});
