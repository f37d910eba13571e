import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { TestClient, upgradeStatus } from "../support/realtime";
import { eventually } from "@torghut/testing";
import { getJson, startLiveServer, type LiveServer } from "../support/live-server";

// ROLE=ingest and ROLE=realtime in one test process over the real nats-server (PGlite: the ingest
// replica always leads). The realtime replica is pointed at its own simulator, which must stay untouched.
describe("ROLE=ingest + ROLE=realtime over NATS", () => {
  let ingest: LiveServer;
  let realtime: LiveServer;
  const bus = {
    BUS_URL: "nats://127.0.0.1:4222",
    BUS_SUBJECT_PREFIX: `torghut-test.${process.pid}-${randomBytes(4).toString("hex")}`,
  };

  before(async () => {
    // The realtime replica first: both servers share this process, and a server's start (PGlite's
    // boot of its data directory) holds the event loop for seconds. Started second, it would silence
    // the ingest replica's live stream for that long (a reconnect, or a failover to Yahoo on a loaded
    // box) — a fault of two servers in one process, not of a replica in a pod of its own.
    realtime = await startLiveServer({ ...bus, ROLE: "realtime", WS_UPDATES_PER_SECOND: "0" });
    ingest = await startLiveServer({ ...bus, ROLE: "ingest" });
  });
  after(async () => {
    await realtime.close();
    await ingest.close();
  });

  test("the realtime replica serves the leader's ticks and never touches the upstream", async () => {
    await eventually(
      async () => (await getJson(`${realtime.url}/readyz`)).status === 200,
      "realtime ready",
      20_000,
    );
    const client = await TestClient.connect(`${realtime.url.replace("http", "ws")}/ws`, {
      token: await realtime.token("viewer"),
    });
    try {
      await client.subscribe(["lines:*", "status"]);
      await eventually(() => client.of("tick").length >= 20, "ticks over the bus", 20_000);
      await eventually(() => client.of("status").length >= 1, "router status over the bus", 20_000);
      assert.ok(client.of("tick").every((m) => m.data?.source === "alpaca"));
    } finally {
      client.close();
    }
    const untouched = realtime.sim.control.counters();
    assert.equal(untouched.connectionsOpened, 0, "ROLE=realtime opened an upstream stream");
    assert.equal(untouched.restRequests + untouched.yahooRequests, 0, "ROLE=realtime called an upstream API");
    assert.equal(realtime.torghut.views.writer(), null, "ROLE=realtime has no tick writer");

    const answer = (await getJson(`${realtime.url}/api/health/realtime`)).body;
    assert.equal(answer.replica.role, "realtime");
    assert.equal(answer.replica.isLeader, false);
    assert.equal(answer.leader.isLeader, false);
    assert.equal(
      answer.leader.replicaId,
      ingest.torghut.bus.replicaId,
      "the realtime replica names the leader",
    );
    const leaderSide = (await getJson(`${ingest.url}/api/health/alpaca`)).body;
    assert.equal(leaderSide.leader.isLeader, true);
    assert.equal(leaderSide.leader.replicaId, ingest.torghut.bus.replicaId);
  });

  test("ops actions on a replica that does not lead answer 409 and name the leader", async () => {
    const res = await getJson(`${realtime.url}/api/health/failover`, {
      method: "POST",
      headers: { authorization: `Bearer ${await realtime.token("oncall", { admin: true })}` },
    });
    assert.equal(res.status, 409);
    assert.match(res.body.message, new RegExp(ingest.torghut.bus.replicaId));
  });

  test("ROLE=ingest serves health and ops but no client transport", async () => {
    assert.equal(
      (await getJson(`${ingest.url}/api/health/datasource`)).body.connectionState,
      "PRIMARY_ACTIVE",
    );
    assert.equal(
      await upgradeStatus(`${ingest.url.replace("http", "ws")}/ws`, {
        authorization: `Bearer ${await ingest.token("x")}`,
      }),
      404,
    );
    assert.equal(ingest.torghut.views.realtime(), null);
  });
});
