import assert from "node:assert/strict";
import { test } from "node:test";
import { NotLeaderError } from "../ingest/errors";
import { IngestThreadCallError } from "./errors";
import { callFailureOf, errorOfFailure } from "./protocol";

// structuredClone is what the worker's port does to a message: only data crosses, never a class.
const across = (error: unknown) => structuredClone(callFailureOf(error));

test("a NotLeaderError crosses the thread as data and comes back as one, naming the leader", () => {
  const failure = across(new NotLeaderError("replica-b"));
  assert.equal(failure.code, "NOT_LEADER");
  const rebuilt = errorOfFailure(failure, () => "heard-on-bus");
  assert.ok(rebuilt instanceof NotLeaderError);
  assert.equal(rebuilt.leaderReplicaId, "replica-b");
  assert.equal(rebuilt.statusCode, 409);
});

test("the leader heard on the bus is named when the thread knew none", () => {
  const rebuilt = errorOfFailure(across(new NotLeaderError(null)), () => "heard-on-bus");
  assert.ok(rebuilt instanceof NotLeaderError);
  assert.equal(rebuilt.leaderReplicaId, "heard-on-bus");
});

test("an error named like NotLeaderError but without its code is not taken for one", () => {
  const impostor = Object.assign(new Error("boom"), { name: "NotLeaderError" });
  const rebuilt = errorOfFailure(across(impostor), () => null);
  assert.ok(rebuilt instanceof IngestThreadCallError);
  assert.equal(rebuilt.message, "boom");
  assert.equal(rebuilt.retryable, false);
});

test("a retryable error keeps its retryability across the port", () => {
  const busy = Object.assign(new Error("database busy"), { retryable: true });
  const rebuilt = errorOfFailure(across(busy), () => null) as IngestThreadCallError;
  assert.equal(rebuilt.retryable, true);
});
