import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createTestDatabase, type TestDatabase } from "@torghut/db";
import { eventually } from "@torghut/testing";
import { getJson, startLiveServer, TEST_SECRET, type LiveServer } from "../support/live-server";
import { TestClient } from "../support/realtime";
import { signToken } from "../../src/realtime/auth";
import { listSourceEvents } from "../../src/store/repositories";

const serverUrl = process.env.DATABASE_URL;

const metric = (text: string, name: string): number | null => {
  const line = text.split("\n").find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line === undefined ? null : Number(line.slice(line.lastIndexOf(" ") + 1));
};

// Ingest on its own thread needs PostgreSQL (INGEST_THREAD=auto picks it there): the real server,
// the real simulator, real clients; the only thing a test does to the thread is end it abruptly.
if (serverUrl !== undefined) {
  describe("ingest on its own thread (INGEST_THREAD)", () => {
    let db: TestDatabase;
    let live: LiveServer;
    let client: TestClient;

    before(async () => {
      db = await createTestDatabase(serverUrl);
      live = await startLiveServer({ DATABASE_URL: db.url });
      const token = await signToken({ secret: TEST_SECRET, sub: "trader", ttl: "10m" });
      client = await TestClient.connect(`${live.url.replace("http", "ws")}/ws`, { token });
      await client.subscribe(["lines:AAPL"]);
    });

    after(async () => {
      client.close();
      await live.close();
      await db.drop();
    });

    test("auto puts ingest on a worker with PostgreSQL and the runbook endpoints answer from it", async () => {
      assert.equal(live.config.ingestOnWorker, true);
      assert.ok(live.torghut.ingestThread !== null);
      const stocks = await eventually(async () => {
        const { body } = await getJson(`${live.url}/api/health/stocks`);
        return body.currentDataSource === "Alpaca" && body.alpaca.connected === true ? body : null;
      }, "Alpaca active, as the ingest thread reports it");
      assert.equal(stocks.status, "Healthy");
      const datasource = await eventually(async () => {
        const { body } = await getJson(`${live.url}/api/health/datasource`);
        return body.writer?.committed > 0 && body.messageRate > 0 ? body : null;
      }, "the writer on the ingest thread commits");
      assert.equal(datasource.ingestThread.state, "running");
      assert.equal(datasource.ingestThread.restarts, 0);
      assert.ok(datasource.ingestThread.snapshotAgeMs < 5000);
      assert.equal(datasource.leader.isLeader, true, "the thread holds the leadership lock");
      assert.equal((await getJson(`${live.url}/readyz`)).status, 200);
      const health = (await getJson(`${live.url}/health`)).body;
      assert.deepEqual(
        health.checks.find((c: { name: string }) => c.name === "ingest-thread"),
        { name: "ingest-thread", status: "Healthy" },
      );
    });

    test("trades cross to the hub: clients on this thread get ticks", async () => {
      const ticks = await client.waitFor("tick", 3, "lines:AAPL");
      assert.ok(ticks.every((m) => m.data?.symbol === "AAPL"));
    });

    test("/metrics merges both threads' registries and the figures move", async () => {
      const first = await (await fetch(`${live.url}/metrics`)).text();
      assert.equal(metric(first, "torghut_ingest_thread_up"), 1);
      assert.ok(metric(first, 'torghut_ingest_thread_event_loop_delay_seconds{quantile="0.99"}') !== null);
      assert.ok(metric(first, "nodejs_eventloop_lag_p99_seconds") !== null, "default metrics, once");
      assert.equal(first.split("\n").filter((l) => l.startsWith("# TYPE message_rate ")).length, 1);
      const committed = (text: string) => metric(text, "torghut_store_writer_committed_ticks_total") ?? 0;
      await eventually(
        async () => committed(await (await fetch(`${live.url}/metrics`)).text()) > committed(first),
        "the writer's counter on the ingest thread moves",
      );
    });

    test("an ops call reaches the router on the ingest thread and health agrees at once", async () => {
      const token = await live.token("oncall", { admin: true });
      const post = (path: string) =>
        getJson(`${live.url}${path}`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
      const failover = await post("/api/health/failover");
      assert.equal(failover.status, 200);
      assert.equal(failover.body.connectionState, "FALLBACK_ACTIVE");
      // No waiting: the reply carried the thread's state, so the next read already shows it.
      const stocks = (await getJson(`${live.url}/api/health/stocks`)).body;
      assert.equal(stocks.currentDataSource, "Yahoo");
      const automatic = await post("/api/health/automatic");
      assert.equal(automatic.status, 200);
      assert.equal(automatic.body.forcedMode.active, false);
      const audited = await listSourceEvents(live.torghut.database, 20);
      assert.ok(audited.some((e) => e.actor === "oncall" && e.reason.includes("ops failover: ok")));
      await eventually(async () => {
        const { body } = await getJson(`${live.url}/api/health/stocks`);
        return body.currentDataSource === "Alpaca";
      }, "back on Alpaca");
    });

    test("a crashed ingest thread is restarted, and readiness and the feed come back by themselves", async () => {
      const thread = live.torghut.ingestThread!;
      await thread.crash();
      const down = await getJson(`${live.url}/readyz`);
      assert.equal(down.status, 503);
      assert.ok(
        down.body.reasons.some((r: string) => r.startsWith("ingest thread is restarting")),
        down.body.reasons.join("; "),
      );
      const stocks = (await getJson(`${live.url}/api/health/stocks`)).body;
      assert.equal(stocks.currentDataSource, "None", "no stale 'Alpaca' from the dead thread");
      const token = await live.token("oncall", { admin: true });
      const refused = await getJson(`${live.url}/api/health/failover`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(refused.status, 503);
      assert.doesNotMatch(JSON.stringify(refused.body), /at .*\.ts/);
      // An action that could not run is audited as an error, with who asked (finding 4 of #16).
      const audited = await listSourceEvents(live.torghut.database, 20);
      assert.ok(
        audited.some((e) => e.actor === "oncall" && /ops failover: error/.test(e.reason)),
        audited.map((e) => e.reason).join("; "),
      );
      // The ingest thread cannot answer for its metrics now; this thread's are still served.
      const whileDown = await fetch(`${live.url}/metrics`);
      assert.equal(whileDown.status, 200);
      assert.equal(metric(await whileDown.text(), "torghut_ingest_thread_up"), 0);

      await eventually(
        async () => (await getJson(`${live.url}/readyz`)).status === 200,
        "ready again",
        20_000,
      );
      const datasource = (await getJson(`${live.url}/api/health/datasource`)).body;
      assert.equal(datasource.ingestThread.state, "running");
      assert.equal(datasource.ingestThread.restarts, 1);
      assert.equal(datasource.leader.isLeader, true, "the new thread took the lock the dead one held");
      const metrics = await (await fetch(`${live.url}/metrics`)).text();
      assert.equal(metric(metrics, "torghut_ingest_thread_restarts_total"), 1);
      const seen = client.of("tick", "lines:AAPL").length;
      await client.waitFor("tick", seen + 3, "lines:AAPL", 20_000);
    });
  });
}
