import assert from "node:assert/strict";
import { test } from "node:test";
import { withoutCredentials } from "./ingest-thread";

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
