import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError, loadConfig } from "./config";

const PG = "postgres://postgres@127.0.0.1:5432/test";

test("a bad value fails at start with a message that names the variable, not the value", () => {
  assert.throws(
    () => loadConfig({ PORT: "not-a-port", ALPACA_SECRET_KEY: "s3cret-value" }),
    (error: unknown) =>
      error instanceof ConfigError && /PORT/.test(error.message) && !error.message.includes("s3cret-value"),
  );
});

test("INGEST_THREAD=auto: a worker with PostgreSQL, inline with PGlite, none for ROLE=realtime", () => {
  assert.equal(loadConfig({ DATABASE_URL: PG }).ingestOnWorker, true);
  assert.equal(loadConfig({}).ingestOnWorker, false);
  assert.equal(loadConfig({ DATABASE_URL: PG, INGEST_THREAD: "inline" }).ingestOnWorker, false);
  assert.equal(
    loadConfig({ DATABASE_URL: PG, ROLE: "realtime", BUS_URL: "nats://127.0.0.1:4222" }).ingestOnWorker,
    false,
  );
});

test("INGEST_THREAD=worker without PostgreSQL is refused, naming both settings", () => {
  assert.throws(
    () => loadConfig({ INGEST_THREAD: "worker" }),
    (error: unknown) =>
      error instanceof ConfigError &&
      /INGEST_THREAD/.test(error.message) &&
      /DATABASE_URL/.test(error.message),
  );
});

test("INGEST_THREAD_NICE is bounded to the nice values a process may lower itself to", () => {
  assert.equal(loadConfig({}).INGEST_THREAD_NICE, 5);
  assert.throws(() => loadConfig({ INGEST_THREAD_NICE: "-5" }), /INGEST_THREAD_NICE/);
  assert.throws(() => loadConfig({ INGEST_THREAD_NICE: "20" }), /INGEST_THREAD_NICE/);
});
