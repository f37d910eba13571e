import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ManualClock } from "../../clock";
import { eventually } from "@torghut/testing";
import { recordEvents } from "../../../test/support/source-contract";
import { settle, makeSource, startSim } from "../../../test/support/alpaca-sim-harness";

describe("Alpaca stream liveness and backoff", () => {
  test("a silent-but-open socket is detected within MESSAGE_TIMEOUT_SECONDS and the session replaced", async () => {
    const sim = await startSim({ manualClock: true });
    const clock = new ManualClock(Date.now());
    const source = makeSource(sim, {
      clock,
      messageTimeoutMs: 30_000,
      pingIntervalMs: 600_000,
      reconnectBaseDelayMs: 1_000,
    });
    const log = recordEvents(source);
    try {
      await source.start();
      await eventually(() => source.health().healthy, "up");
      await eventually(() => log.count("trade") > 0, "data", { pump: () => sim.control.advance(100) });
      sim.control.setFault({ target: "alpaca", fault: "silent" });
      sim.control.advance(1_000);
      await settle();
      clock.advance(29_000);
      await settle();
      assert.equal(log.count("failure"), 0, "29 s of silence is tolerated");
      clock.advance(1_000);
      const failure = await eventually(
        () => log.events.find((e) => e.type === "failure"),
        "watchdog failure",
      );
      assert.match(failure.type === "failure" ? failure.reason : "", /no data for 30 s/);
      assert.equal(failure.type === "failure" && failure.retryable, true);
      sim.control.clearFaults("alpaca");
      clock.advance(1_500);
      await eventually(() => log.count("up") === 2, "new session");
      assert.equal(
        sim.control.counters().maxConcurrentAuthenticatedSessions,
        1,
        "clean close: no stale session",
      );
    } finally {
      await source.stop();
      await sim.close();
    }
  });

  test("ping every 10 s; a missing pong within 5 s drops the session", async () => {
    const sim = await startSim({ manualClock: true });
    const clock = new ManualClock(Date.now());
    const source = makeSource(sim, { clock, messageTimeoutMs: 0 });
    const log = recordEvents(source);
    try {
      await source.start();
      await eventually(() => source.health().healthy, "up");
      for (let i = 0; i < 6; i++) {
        clock.advance(5_000); // answered pings keep the session
        await settle();
        await settle();
      }
      assert.equal(log.count("failure"), 0);
      sim.control.setFault({ target: "alpaca", fault: "stall" }); // stops reading: no pongs
      clock.advance(10_000);
      await settle();
      clock.advance(5_000);
      const failure = await eventually(() => log.events.find((e) => e.type === "failure"), "pong failure");
      assert.match(failure.type === "failure" ? failure.reason : "", /no pong within 5000 ms/);
    } finally {
      await source.stop();
      await sim.close();
    }
  });

  test("reconnect backoff doubles from the base delay, caps, and resets after a stable session", async () => {
    const sim = await startSim();
    const clock = new ManualClock(Date.now());
    const source = makeSource(sim, {
      clock,
      reconnectBaseDelayMs: 1_000,
      reconnectMaxDelayMs: 8_000,
      stableSessionMs: 30_000,
      random: () => 0.5, // no jitter: exact delays
      pingIntervalMs: 600_000,
      messageTimeoutMs: 0,
    });
    const log = recordEvents(source);
    try {
      sim.control.setFault({ target: "alpaca", fault: "down" });
      await source.start();
      await eventually(() => log.count("failure") === 1, "first refusal");
      for (const delay of [1_000, 2_000, 4_000, 8_000, 8_000]) {
        const attempts = source.health().reconnectAttempts;
        clock.advance(delay - 1);
        await settle();
        assert.equal(source.health().reconnectAttempts, attempts, `no attempt before ${delay} ms`);
        clock.advance(1);
        await eventually(
          () => source.health().reconnectAttempts === attempts + 1,
          `attempt after ${delay} ms`,
        );
        await eventually(() => log.count("failure") === attempts + 2, "refused again");
      }
      sim.control.clearFaults("alpaca");
      clock.advance(8_000);
      await eventually(() => source.health().healthy, "up");
      clock.advance(30_000); // stable: backoff resets
      await settle();
      sim.control.setFault({ target: "alpaca", fault: "down", durationMs: 1 });
      await eventually(() => !source.health().healthy, "dropped");
      sim.control.clearFaults("alpaca");
      const attempts = source.health().reconnectAttempts;
      clock.advance(1_000);
      await eventually(() => source.health().reconnectAttempts === attempts + 1, "base delay again");
    } finally {
      await source.stop();
      await sim.close();
    }
  });

  test("malformed frames, unknown types and batched arrays: counted, no crash, valid neighbours kept", async () => {
    const sim = await startSim({ manualClock: true, tradesPerSecond: 2_000 });
    const source = makeSource(sim, { messageTimeoutMs: 0 });
    const log = recordEvents(source);
    try {
      await source.start();
      await eventually(() => source.health().healthy, "up");
      sim.control.setFault({ target: "alpaca", fault: "malformed" });
      await eventually(
        () => source.frameCounters().malformed >= 3 && source.frameCounters().unknownTypes >= 1,
        "malformed and unknown elements",
        { pump: () => sim.control.advance(100), timeoutMs: 10_000 },
      );
      const counters = source.frameCounters();
      assert.ok(counters.data > counters.frames, "frames carry batches of several messages");
      const trades = log.count("trade");
      sim.control.advance(200);
      await eventually(() => log.count("trade") > trades, "valid trades keep flowing");
      assert.equal(source.health().healthy, true);
      assert.equal(log.count("failure"), 0);
      assert.ok(log.count("quote") > 0 && log.count("trade") > 0, "mixed types in the same stream");
    } finally {
      await source.stop();
      await sim.close();
    }
  });
});
