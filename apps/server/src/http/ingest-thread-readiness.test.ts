import assert from "node:assert/strict";
import { test } from "node:test";
import { ingestThreadNotReadyReasons, ingestThreadStatus } from "./ingest-thread-readiness";
import type { IngestThreadView } from "../ingest/side";

const running: IngestThreadView = {
  state: "running",
  restarts: 0,
  lastExitAt: null,
  lastError: null,
  snapshotAgeMs: 80,
  conflated: 0,
};

test("inline ingest (no thread) and a reporting thread add no reason", () => {
  assert.deepEqual(ingestThreadNotReadyReasons(undefined), []);
  assert.deepEqual(ingestThreadNotReadyReasons(running), []);
  assert.equal(ingestThreadStatus(running), "Healthy");
});

test("a thread silent for more than 5 s counts as stuck, though it still says running", () => {
  const stuck = { ...running, snapshotAgeMs: 7200 };
  assert.deepEqual(ingestThreadNotReadyReasons(stuck), ["ingest thread unresponsive: last report 7s ago"]);
  assert.equal(ingestThreadStatus(stuck), "Unhealthy");
});

test("a restarting thread names its last error", () => {
  const restarting = { ...running, state: "restarting" as const, restarts: 2, lastError: "out of memory" };
  assert.deepEqual(ingestThreadNotReadyReasons(restarting), [
    "ingest thread is restarting (last error: out of memory)",
  ]);
});
