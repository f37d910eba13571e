import assert from "node:assert/strict";
import { test } from "node:test";
import { GapTracker } from "./gap-tracker";
import type { PrimaryGap } from "./snapshot";

test("a reconnect gap runs from the last tick fed to the next one, and is reported once", () => {
  const gaps: PrimaryGap[] = [];
  const tracker = new GapTracker((gap) => gaps.push(gap));
  tracker.fed(1_000);
  tracker.broke(5_000);
  tracker.broke(7_000); // a second failure keeps the earlier start
  tracker.fed(9_000);
  tracker.fed(10_000);
  assert.deepEqual(gaps, [{ startMs: 1_000, endMs: 9_000, cause: "reconnect" }]);
});

test("with nothing fed yet the gap starts where the feed broke; failback closes it", () => {
  const gaps: PrimaryGap[] = [];
  const tracker = new GapTracker((gap) => gaps.push(gap));
  tracker.broke(2_000);
  tracker.failedBack(8_000);
  tracker.failedBack(9_000);
  assert.deepEqual(gaps, [{ startMs: 2_000, endMs: 8_000, cause: "failback" }]);
});
