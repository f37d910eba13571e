import assert from "node:assert/strict";
import { test } from "node:test";
import { pino } from "pino";
import { InProcessBus } from "../bus";
import { systemClock } from "../clock";
import { loadConfig } from "../config";
import { IngestThread, restartDelayMs, withoutCredentials } from "./ingest-thread";

test("an error served as lastError keeps its URL but not the URL's password", () => {
  const message = withoutCredentials(
    "connect ECONNREFUSED for postgres://torghut:hunter2@db:5432/torghut and nats://u:p@bus:4222",
  );
  assert.equal(
    message,
    "connect ECONNREFUSED for postgres://[redacted]@db:5432/torghut and nats://[redacted]@bus:4222",
  );
  assert.equal(withoutCredentials("plain message"), "plain message");
});

test("restarts in a row wait 1 s, doubling, capped at 30 s", () => {
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 7].map((n) => restartDelayMs(n)),
    [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000],
  );
  assert.equal(restartDelayMs(3, { base: 50, max: 120 }), 120);
});

test("a thread that cannot start rejects start(), says why without secrets, and is not restarted", async () => {
  // A real worker thread against a PostgreSQL port nobody listens on (port 1): its storage fails.
  const config = loadConfig({
    DATABASE_URL: "postgres://torghut:hunter2@127.0.0.1:1/none",
    LOG_LEVEL: "silent",
    SYMBOLS: "AAPL",
  });
  const thread = new IngestThread({
    config,
    replicaId: "test-replica",
    bus: new InProcessBus({ replicaId: "test-replica" }),
    knownLeader: () => null,
    logger: pino({ enabled: false }),
    clock: systemClock,
  });
  await assert.rejects(thread.start(), /ingest thread failed to start/);
  const view = thread.thread();
  assert.equal(view.state, "stopped");
  assert.equal(view.restarts, 0);
  assert.ok(view.lastError !== null && !view.lastError.includes("hunter2"), String(view.lastError));
  await assert.rejects(async () => thread.actions.forceFallback("oncall"), {
    name: "IngestThreadUnavailableError",
  });
});
