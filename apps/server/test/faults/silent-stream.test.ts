import assert from "node:assert/strict";
import { test } from "node:test";
import { eventually } from "@torghut/testing";
import { getJson, startLiveServer } from "../support/live-server";

/**
 * Issue #14's first finding, on the composed server with the README's kind of settings: the stream
 * answers pings and every handshake but sends nothing. The client's own watchdog reconnects it every
 * MESSAGE_TIMEOUT_SECONDS; those handshakes must not forgive the silence.
 */
test("a silent-but-connected stream fails over through reconnects, and back when data returns", async () => {
  const live = await startLiveServer({
    MESSAGE_TIMEOUT_SECONDS: "1",
    FALLBACK_ACTIVATION_DELAY_SECONDS: "0.5",
    PRIMARY_RECOVERY_GRACE_PERIOD_SECONDS: "0.5",
  });
  const stocks = async () => (await getJson(`${live.url}/api/health/stocks`)).body;
  try {
    await eventually(async () => (await stocks()).currentDataSource === "Alpaca", "on Alpaca", 10_000);
    live.sim.control.setFault({ target: "alpaca", fault: "silent" });
    const failedOver = await eventually(
      async () => {
        const body = await stocks();
        return body.currentDataSource === "Yahoo" ? body : null;
      },
      "on Yahoo while Alpaca stays silent",
      15_000,
    );
    assert.equal(failedOver.delayed, true);
    const datasource = (await getJson(`${live.url}/api/health/datasource`)).body;
    assert.match(datasource.lastTransition.reason, /^Alpaca timeout: no data for \d+s/);
    // The client's own watchdog keeps reconnecting; none of those handshakes brings Alpaca back.
    const opened = live.sim.control.counters().connectionsOpened;
    await eventually(() => live.sim.control.counters().connectionsOpened >= opened + 2, "reconnects", 15_000);
    assert.equal((await stocks()).currentDataSource, "Yahoo", "still on Yahoo after reconnects without data");
    live.sim.control.clearFaults("alpaca");
    await eventually(async () => (await stocks()).currentDataSource === "Alpaca", "back on Alpaca", 15_000);
    assert.ok(live.sim.control.counters().maxConcurrentAuthenticatedSessions <= 1);
  } finally {
    await live.close();
  }
});
