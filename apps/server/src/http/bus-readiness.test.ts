import assert from "node:assert/strict";
import { test } from "node:test";
import { busNotReadyReasons } from "./bus-readiness";
import type { BusView } from "./views";

const view = (overrides: Partial<BusView>): BusView => ({
  kind: "nats",
  connected: true,
  published: 0,
  received: 0,
  dropped: 0,
  reconnects: 0,
  lastReceivedAt: null,
  lastError: null,
  receivedLeaderData: false,
  needsLeaderData: false,
  ...overrides,
});

test("a disconnected bus makes any replica not ready", () => {
  assert.deepEqual(busNotReadyReasons(view({ connected: false })), ["market bus (nats) is disconnected"]);
});

test("a replica serving clients from NATS waits for the leader's first data, and only that once", () => {
  assert.equal(busNotReadyReasons(view({ needsLeaderData: true })).length, 1);
  assert.deepEqual(busNotReadyReasons(view({ needsLeaderData: true, receivedLeaderData: true })), []);
});

test("the leader, an ingest standby and compositions without a bus add no reasons", () => {
  assert.deepEqual(busNotReadyReasons(view({ needsLeaderData: false })), []);
  assert.deepEqual(busNotReadyReasons(undefined), []);
});
