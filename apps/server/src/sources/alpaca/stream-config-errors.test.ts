import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { describe, test } from "node:test";
import { eventually } from "@torghut/testing";
import { WebSocketServer } from "ws";
import { registry } from "../../metrics/registry";
import { recordEvents } from "../../../test/support/source-contract";
import { frameText } from "./frame-parser";
import { makeSource, startSim } from "../../../test/support/alpaca-sim-harness";

async function counter(name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = await registry.getSingleMetric(name)?.get();
  const match = metric?.values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x));
  return match?.value ?? 0;
}

describe("Alpaca stream: configuration errors say what to check (issue #14)", () => {
  for (const [status, checks] of [
    [404, /no Alpaca stream at ws:\/\/.*\/v2\/iex — check ALPACA_STREAM_URL .* and ALPACA_FEED \(iex\)/],
    [401, /HTTP 401 .* check ALPACA_KEY_ID and ALPACA_SECRET_KEY \(or ALPACA_CREDENTIALS_FILE\)/],
    [402, /HTTP 402 .* check ALPACA_KEY_ID/],
    [403, /HTTP 403 .* check ALPACA_KEY_ID/],
  ] as const) {
    test(`HTTP ${status} on the upgrade is a configuration error, retried only slowly`, async () => {
      const sim = await startSim();
      sim.control.setFault({ target: "alpaca", fault: "upgrade-status", status });
      const source = makeSource(sim, { reconnectMaxDelayMs: 400 });
      const log = recordEvents(source);
      try {
        await source.start();
        const failure = await eventually(() => log.events.find((e) => e.type === "failure"), "failure");
        assert.equal(failure.retryable, false, "not a flaky network");
        assert.match(failure.reason, checks);
        const health = source.health();
        assert.equal(health.configurationError, true);
        assert.match(health.lastError ?? "", checks);
        assert.ok(!(health.lastError ?? "").includes("sim-secret"));
        sim.control.clearFaults("alpaca");
        await eventually(() => source.health().healthy, "recovers by itself at the slow retry", 10_000);
        assert.equal(source.health().configurationError, false);
      } finally {
        await source.stop();
        await sim.close();
      }
    });
  }

  test("HTTP 406 on the upgrade is the connection limit: retryable, backed off", async () => {
    const sim = await startSim();
    sim.control.setFault({ target: "alpaca", fault: "upgrade-status", status: 406 });
    const source = makeSource(sim);
    const log = recordEvents(source);
    try {
      await source.start();
      const failure = await eventually(() => log.events.find((e) => e.type === "failure"), "failure");
      assert.equal(failure.retryable, true);
      assert.match(failure.reason, /HTTP 406 .*connection limit/);
      assert.equal(source.health().configurationError, false);
    } finally {
      await source.stop();
      await sim.close();
    }
  });

  test("a host that does not resolve names ALPACA_STREAM_URL", async () => {
    const sim = await startSim();
    const source = makeSource(sim, { streamUrl: "ws://stream.torghut-test.invalid" });
    const log = recordEvents(source);
    try {
      await source.start();
      const failure = await eventually(() => log.events.find((e) => e.type === "failure"), "failure", 10_000);
      assert.equal(failure.retryable, false);
      assert.match(failure.reason, /cannot resolve stream\.torghut-test\.invalid .*check ALPACA_STREAM_URL/);
    } finally {
      await source.stop();
      await sim.close();
    }
  });

  test("402 after auth says which keys to check", async () => {
    const sim = await startSim();
    sim.control.setFault({ target: "alpaca", fault: "auth-fail" });
    const source = makeSource(sim);
    const log = recordEvents(source);
    try {
      await source.start();
      const failure = await eventually(() => log.events.find((e) => e.type === "failure"), "failure");
      assert.match(
        failure.reason,
        /^Alpaca error 402: auth failed — check ALPACA_KEY_ID and ALPACA_SECRET_KEY/,
      );
    } finally {
      await source.stop();
      await sim.close();
    }
  });

  test("a frame over the limit is counted, logged and the session reconnects (not 100 MiB)", async () => {
    // A stand-in Alpaca that answers the handshake, then sends one oversized frame per session.
    const wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
    let sessions = 0;
    wss.on("connection", (socket) => {
      sessions += 1;
      socket.send(JSON.stringify([{ T: "success", msg: "connected" }]));
      socket.on("message", (data) => {
        const request = JSON.parse(frameText(data)) as { action: string };
        if (request.action === "auth") socket.send(JSON.stringify([{ T: "success", msg: "authenticated" }]));
        else if (request.action === "subscribe") {
          socket.send(JSON.stringify([{ T: "subscription", trades: ["AAPL"], quotes: [], bars: [] }]));
          socket.send(`[${"0,".repeat(40_000)}0]`);
        }
      });
    });
    await new Promise((resolve) => wss.once("listening", resolve));
    const port = (wss.address() as AddressInfo).port;
    const sim = await startSim();
    const before = await counter("alpaca_oversized_frames_total");
    const source = makeSource(sim, { streamUrl: `ws://127.0.0.1:${port}`, maxFrameBytes: 64 * 1024 });
    const log = recordEvents(source);
    try {
      await source.start();
      const failure = await eventually(() => log.events.find((e) => e.type === "failure"), "failure");
      assert.match(failure.reason, /a frame over 65536 bytes/);
      assert.equal(failure.retryable, true);
      assert.equal((await counter("alpaca_oversized_frames_total")) - before >= 1, true);
      await eventually(() => sessions >= 2, "reconnected");
    } finally {
      await source.stop();
      await sim.close();
      await new Promise((resolve) => wss.close(resolve));
    }
  });

  test("while silence is expected (market closed) the data watchdog does not drop the session", async () => {
    const sim = await startSim();
    let closed = true;
    const source = makeSource(sim, { messageTimeoutMs: 200, silenceExpected: () => closed });
    const log = recordEvents(source);
    try {
      await source.start();
      await eventually(() => source.health().healthy, "subscribed");
      sim.control.setMarketOpen(false, 0); // silent at once: this test is about the watchdog, not the clock
      const opened = sim.control.counters().connectionsOpened;
      await eventually(() => Date.now() - (source.health().lastMessageAt ?? 0) > 1_000, "a quiet second");
      assert.equal(sim.control.counters().connectionsOpened, opened, "no reconnect for expected silence");
      assert.equal(log.events.filter((e) => e.type === "failure").length, 0);
      closed = false;
      await eventually(() => sim.control.counters().connectionsOpened > opened, "the watchdog runs again");
    } finally {
      await source.stop();
      await sim.close();
    }
  });
});
