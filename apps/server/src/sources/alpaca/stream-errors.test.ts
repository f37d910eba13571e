import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ManualClock } from "../../clock";
import { registry } from "../../metrics/registry";
import { eventually } from "@torghut/testing";
import { recordEvents } from "../../../test/support/source-contract";
import {
  SIM_KEY,
  credentialsFile,
  makeSource,
  settle,
  startSim,
} from "../../../test/support/alpaca-sim-harness";

async function errorCount(code: string): Promise<number> {
  const metric = await registry.getSingleMetric("alpaca_stream_errors_total")?.get();
  return metric?.values.find((v) => v.labels.code === code)?.value ?? 0;
}

/** A client set up as for Alpaca's connection limit: a 90 s stale-session window, no pings. */
async function connectionLimitScenario() {
  const sim = await startSim();
  const clock = new ManualClock(Date.now());
  const source = makeSource(sim, {
    clock,
    connectionLimitDelayMs: 90_000,
    reconnectBaseDelayMs: 1_000,
    pingIntervalMs: 600_000,
  });
  return { sim, clock, source, log: recordEvents(source) };
}

/** 88 s of the 90 s window, in steps, letting the client act at each. */
async function insideStaleSessionWindow(clock: ManualClock): Promise<void> {
  for (let i = 0; i < 8; i++) {
    clock.advance(11_000);
    await settle();
  }
}

describe("Alpaca stream error paths against the simulator", () => {
  test("402 stops retrying with a configuration error; a new credentials file resumes by itself", async () => {
    const sim = await startSim();
    const clock = new ManualClock(Date.now());
    const file = await credentialsFile({ keyId: "wrong", secretKey: "nope" });
    const source = makeSource(sim, {
      clock,
      credentials: file.provider,
      credentialsPollMs: 5_000,
      pingIntervalMs: 600_000,
    });
    const log = recordEvents(source);
    try {
      await source.start();
      const failure = await eventually(() => log.events.find((e) => e.type === "failure"), "402 failure");
      assert.equal(failure.retryable, false);
      const health = source.health();
      assert.equal(health.configurationError, true);
      assert.equal(health.healthy, false);
      assert.match(health.lastError ?? "", /402/);
      assert.ok(!(health.lastError ?? "").includes("nope"), "no secret in lastError");
      await eventually(() => !source.health().connected, "socket closed");
      const opened = sim.control.counters().connectionsOpened;
      for (let i = 0; i < 12; i++) {
        clock.advance(10_000); // two minutes of retry timers: nothing may happen
        await settle();
      }
      assert.equal(sim.control.counters().connectionsOpened, opened, "no retry after a configuration error");

      await file.write(SIM_KEY);
      clock.advance(5_000);
      await eventually(() => source.health().healthy, "resumed after the file changed");
      assert.equal(source.health().configurationError, false);
    } finally {
      await source.stop();
      await sim.close();
      await file.remove();
    }
  });

  test("key rotation: the next connect reads the file again, without a restart; reconnect() clears the stop", async () => {
    const sim = await startSim({ keys: [{ ...SIM_KEY }, { keyId: "key-b", secretKey: "secret-b" }] });
    const file = await credentialsFile(SIM_KEY);
    const source = makeSource(sim, { credentials: file.provider, credentialsPollMs: 3_600_000 });
    const log = recordEvents(source);
    try {
      await source.start();
      await eventually(() => source.health().healthy, "up with key A");
      await file.write({ keyId: "revoked", secretKey: "x" });
      source.reconnect();
      await eventually(() => source.health().configurationError, "the rotated (bad) key was used");
      await file.write({ keyId: "key-b", secretKey: "secret-b" });
      source.reconnect(); // the ops POST: resumes at once instead of waiting for the file poll
      await eventually(() => source.health().healthy, "up with key B");
      assert.ok(log.count("up") >= 2);
      assert.ok(sim.control.counters().maxConcurrentAuthenticatedSessions <= 1);
    } finally {
      await source.stop();
      await sim.close();
      await file.remove();
    }
  });

  test("406 storm: backs off past the stale-session window, never two sessions, recovers", async () => {
    const { sim, clock, source, log } = await connectionLimitScenario();
    try {
      sim.control.setFault({ target: "alpaca", fault: "connection-limit" });
      const before406 = await errorCount("406");
      await source.start();
      await eventually(() => log.count("failure") === 1, "first 406");
      assert.match(source.health().lastError ?? "", /406/);
      assert.equal(source.health().configurationError, false, "406 is not a configuration error");
      const opened = sim.control.counters().connectionsOpened;
      await insideStaleSessionWindow(clock);
      assert.equal(sim.control.counters().connectionsOpened, opened, "no reconnect inside 90 s");
      clock.advance(2_000);
      await eventually(() => log.count("failure") === 2, "second 406 after 90 s");
      sim.control.clearFaults("alpaca");
      clock.advance(90_000);
      await eventually(() => source.health().healthy, "recovered");
      assert.equal((await errorCount("406")) - before406, 2);
      assert.equal(sim.control.counters().maxConcurrentAuthenticatedSessions, 1);
    } finally {
      await source.stop();
      await sim.close();
    }
  });

  test("HTTP 429 on the upgrade: counted, retryable, connection-limit backoff, never gives up, recovers", async () => {
    const { sim, clock, source, log } = await connectionLimitScenario();
    try {
      sim.control.setFault({ target: "alpaca", fault: "429" });
      const before429 = await errorCount("http_429");
      await source.start();
      const failure = await eventually(() => log.events.find((e) => e.type === "failure"), "first 429");
      assert.equal(failure.retryable, true);
      let health = source.health();
      assert.match(health.lastError ?? "", /HTTP 429/);
      assert.equal(health.configurationError, false, "429 is not a configuration error");
      assert.equal(health.connected, false);
      assert.equal((await errorCount("http_429")) - before429, 1);
      // Three refusals in a row: each waits out the whole stale-session window, none is the last.
      for (let refusal = 2; refusal <= 3; refusal++) {
        await insideStaleSessionWindow(clock);
        assert.equal(log.count("failure"), refusal - 1, "no reconnect inside 90 s");
        assert.equal(source.health().reconnectAttempts, refusal - 2);
        clock.advance(2_000);
        await eventually(() => log.count("failure") === refusal, `429 number ${refusal} after 90 s`);
      }
      assert.equal((await errorCount("http_429")) - before429, 3);
      health = source.health();
      assert.equal(health.consecutiveFailures, 3);
      assert.equal(health.reconnectAttempts, 2);
      assert.equal(sim.control.counters().connectionsOpened, 0, "no upgrade got through");

      sim.control.clearFaults("alpaca");
      clock.advance(90_000);
      await eventually(() => source.health().healthy, "recovered");
      health = source.health();
      assert.equal(health.authenticated, true);
      assert.equal(health.consecutiveFailures, 0);
      assert.deepEqual(health.subscribedSymbols, ["AAPL", "MSFT", "TSLA"]);
      assert.equal(log.count("up"), 1);
      assert.equal(sim.control.counters().maxConcurrentAuthenticatedSessions, 1);
    } finally {
      await source.stop();
      await sim.close();
    }
  });

  test("unclean drop leaves a stale session; the client rides out 406 and never holds two sessions", async () => {
    const sim = await startSim({ staleSessionMs: 300 });
    const source = makeSource(sim, { connectionLimitDelayMs: 400 });
    const log = recordEvents(source);
    try {
      await source.start();
      await eventually(() => source.health().healthy, "up");
      sim.control.setFault({ target: "alpaca", fault: "drop", durationMs: 50 });
      await eventually(() => log.count("up") >= 2, "back up after the stale session was reaped", {
        timeoutMs: 10_000,
      });
      const counters = sim.control.counters();
      assert.ok((counters.errorsSent["406"] ?? 0) >= 1, "the stale session caused at least one 406");
      assert.equal(counters.maxConcurrentAuthenticatedSessions, 1);
    } finally {
      await source.stop();
      await sim.close();
    }
  });

  test("407 slow client: failure, reconnect and count", async () => {
    const sim = await startSim();
    const source = makeSource(sim);
    const log = recordEvents(source);
    try {
      const before = await errorCount("407");
      await source.start();
      await eventually(() => source.health().healthy, "up");
      sim.control.setFault({ target: "alpaca", fault: "slow-client" });
      await eventually(() => log.count("failure") >= 1, "407 failure");
      assert.match(source.health().lastError ?? "", /407/);
      sim.control.clearFaults("alpaca");
      await eventually(() => log.count("up") >= 2 && source.health().healthy, "reconnected");
      assert.ok((await errorCount("407")) > before);
      assert.ok(source.health().reconnectAttempts >= 1);
    } finally {
      await source.stop();
      await sim.close();
    }
  });

  test("405 symbol limit keeps what is subscribed and reports the refused symbols", async () => {
    const many = Array.from({ length: 30 }, (_, i) => `Z${String.fromCharCode(65 + (i % 26))}${i}`);
    const sim = await startSim();
    const source = makeSource(sim);
    const log = recordEvents(source);
    try {
      await source.start();
      await eventually(() => source.health().healthy, "up");
      source.setSymbols(["AAPL", "MSFT", "TSLA", ...many]);
      const notice = await eventually(
        () => log.events.find((e) => e.type === "notice" && /refused/.test(e.message)),
        "405 notice",
      );
      assert.equal(notice.type === "notice" && notice.symbols?.length, 30);
      assert.deepEqual(
        source.health().subscribedSymbols,
        ["AAPL", "MSFT", "TSLA"],
        "previous subscriptions stay",
      );
      assert.equal(source.health().healthy, true);
      assert.equal(log.count("failure"), 0, "405 is not a session failure");
      assert.match(source.health().lastError ?? "", /405/);
      source.setSymbols(["AAPL", "MSFT"]);
      await eventually(() => source.health().subscribedSymbols.join() === "AAPL,MSFT", "shrunk set");
      assert.deepEqual(source.refusedSymbols(), []);
    } finally {
      await source.stop();
      await sim.close();
    }
  });

  test("403 is ignored; 400/401 are logged and counted without ending the session", async () => {
    const sim = await startSim();
    const source = makeSource(sim);
    const log = recordEvents(source);
    try {
      await source.start();
      await eventually(() => source.health().healthy, "up");
      const before = { c400: await errorCount("400"), c401: await errorCount("401") };
      // The simulator only sends these when a client misbehaves, which ours does not: feed the codes
      // through the client's own frame sink, exactly as the parser would.
      source.control({ T: "error", code: 403, msg: "already authenticated" });
      assert.equal(source.health().lastError, null);
      source.control({ T: "error", code: 400, msg: "invalid syntax" });
      source.control({ T: "error", code: 401, msg: "not authenticated" });
      assert.equal((await errorCount("400")) - before.c400, 1);
      assert.equal((await errorCount("401")) - before.c401, 1);
      assert.match(source.health().lastError ?? "", /401/);
      assert.equal(source.health().healthy, true);
      assert.equal(log.count("failure"), 0);
    } finally {
      await source.stop();
      await sim.close();
    }
  });
});
