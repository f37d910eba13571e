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

test("WS_AUTH_SECRET: under 32 bytes or a published placeholder is refused, never quoted", () => {
  for (const [value, why] of [
    ["tiny-secret", /at least 32 bytes/],
    ["0123456789abcdef0123456789abcde", /at least 32 bytes/],
    ["change-me-in-production-please-32b", /placeholder/],
    ["CHANGE_ME_32_RANDOM_BYTES_xxxxxxxxxxxxx", /placeholder/],
  ] as const) {
    assert.throws(
      () => loadConfig({ WS_AUTH_SECRET: value }),
      (error: unknown) =>
        error instanceof ConfigError &&
        /WS_AUTH_SECRET/.test(error.message) &&
        why.test(error.message) &&
        !error.message.includes(value),
      value,
    );
  }
  assert.throws(
    () =>
      loadConfig({ WS_AUTH_SECRET: "0123456789abcdef0123456789abcdef", WS_AUTH_SECRET_PREVIOUS: "short" }),
    /WS_AUTH_SECRET_PREVIOUS/,
  );
  assert.throws(
    () => loadConfig({ WS_AUTH_SECRET_PREVIOUS: "0123456789abcdef0123456789abcdef" }),
    /needs WS_AUTH_SECRET/,
  );
  assert.equal(loadConfig({ WS_AUTH_SECRET: "0123456789abcdef0123456789abcdef" }).WS_AUTH_SECRET?.length, 32);
});

test("TRUSTED_PROXIES takes addresses, CIDRs and proxy-addr's names, and refuses anything else", () => {
  assert.deepEqual(loadConfig({ TRUSTED_PROXIES: "10.0.0.0/8, loopback,192.0.2.7" }).TRUSTED_PROXIES, [
    "10.0.0.0/8",
    "loopback",
    "192.0.2.7",
  ]);
  assert.throws(() => loadConfig({ TRUSTED_PROXIES: "proxy.internal" }), /TRUSTED_PROXIES/);
});

test("ALPACA_STREAM_URL: the base URL, or the whole URL with the feed path Alpaca's docs show", () => {
  const base = loadConfig({ ALPACA_STREAM_URL: "wss://stream.data.alpaca.markets" });
  assert.deepEqual([base.alpacaStreamUrl, base.ALPACA_FEED], ["wss://stream.data.alpaca.markets", "iex"]);
  const documented = loadConfig({ ALPACA_STREAM_URL: "wss://stream.data.alpaca.markets/v2/iex" });
  assert.deepEqual(
    [documented.alpacaStreamUrl, documented.ALPACA_FEED],
    ["wss://stream.data.alpaca.markets", "iex"],
    "never dials /v2/iex/v2/iex",
  );
  const sipAlone = loadConfig({ ALPACA_STREAM_URL: "wss://stream.data.alpaca.markets/v2/sip/" });
  assert.equal(sipAlone.ALPACA_FEED, "sip", "the URL's feed decides when ALPACA_FEED is unset");
  const agreeing = loadConfig({ ALPACA_STREAM_URL: "ws://127.0.0.1:5010/v2/test", ALPACA_FEED: "test" });
  assert.deepEqual([agreeing.alpacaStreamUrl, agreeing.ALPACA_FEED], ["ws://127.0.0.1:5010", "test"]);
  const prefixed = loadConfig({ ALPACA_STREAM_URL: "wss://proxy.example/alpaca" });
  assert.equal(prefixed.alpacaStreamUrl, "wss://proxy.example/alpaca", "a path prefix is kept as the base");
});

test("a feed in ALPACA_STREAM_URL that disagrees with ALPACA_FEED stops start-up, naming both", () => {
  assert.throws(
    () => loadConfig({ ALPACA_STREAM_URL: "wss://stream.data.alpaca.markets/v2/sip", ALPACA_FEED: "iex" }),
    (error: unknown) =>
      error instanceof ConfigError &&
      /ALPACA_STREAM_URL names the feed "sip"/.test(error.message) &&
      /ALPACA_FEED is "iex"/.test(error.message),
  );
  assert.throws(
    () => loadConfig({ ALPACA_STREAM_URL: "wss://stream.data.alpaca.markets/v1beta3/crypto/us" }),
    /ALPACA_STREAM_URL ends in \/v1beta3\/crypto\/us.*not a stock feed/,
  );
});

test("spool and shutdown settings: defaults, off with SPOOL_MAX_BYTES=0, bad fsync mode refused by name", () => {
  const defaults = loadConfig({});
  assert.deepEqual(
    [
      defaults.SPOOL_DIR,
      defaults.SPOOL_MAX_BYTES,
      defaults.SPOOL_AFTER_MS,
      defaults.SPOOL_FSYNC,
      defaults.SHUTDOWN_TIMEOUT_SECONDS,
    ],
    [undefined, 4 * 1024 ** 3, 5000, "interval", 20],
  );
  assert.equal(loadConfig({ SPOOL_MAX_BYTES: "0" }).SPOOL_MAX_BYTES, 0);
  assert.throws(
    () => loadConfig({ SPOOL_FSYNC: "never" }),
    (error: unknown) => error instanceof ConfigError && /SPOOL_FSYNC/.test(error.message),
  );
});

test("database deadlines: defaults in seconds, and the client-side one must exceed the server's", () => {
  const config = loadConfig({});
  assert.equal(config.DATABASE_STATEMENT_TIMEOUT_MS, 10_000);
  assert.ok(config.DATABASE_QUERY_TIMEOUT_MS > config.DATABASE_STATEMENT_TIMEOUT_MS);
  assert.throws(
    () => loadConfig({ DATABASE_STATEMENT_TIMEOUT_MS: "5000", DATABASE_QUERY_TIMEOUT_MS: "5000" }),
    (error: unknown) =>
      error instanceof ConfigError &&
      /DATABASE_QUERY_TIMEOUT_MS/.test(error.message) &&
      /DATABASE_STATEMENT_TIMEOUT_MS/.test(error.message),
  );
});

test("the leadership lease must leave room for two renewals after its safety margin", () => {
  const config = loadConfig({});
  assert.equal(config.LEADER_LEASE_SECONDS, 60);
  assert.equal(config.LEADER_LEASE_MARGIN_SECONDS, 2);
  assert.throws(
    () =>
      loadConfig({ LEADER_LEASE_SECONDS: "3", LEADER_LEASE_MARGIN_SECONDS: "2", LEADER_PROBE_MS: "1000" }),
    (error: unknown) => error instanceof ConfigError && /LEADER_LEASE_SECONDS/.test(error.message),
  );
});
