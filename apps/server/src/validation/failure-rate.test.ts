import assert from "node:assert/strict";
import { test } from "node:test";
import { SlidingFailureRate } from "./failure-rate";

test("rate is rejected/checked over the window and forgets old seconds", () => {
  const seconds: [number, number][] = [];
  const start = 1_000_000;
  const window = new SlidingFailureRate(10, start, (checked, rejected) => seconds.push([checked, rejected]));
  for (let i = 0; i < 8; i++) window.record(start, false);
  window.record(start, true);
  window.record(start, true);
  assert.equal(window.rate(start), 0.2);
  window.record(start + 5_000, false);
  assert.deepEqual(seconds[0], [10, 2]);
  assert.equal(window.rate(start + 5_000), 2 / 11);
  assert.equal(window.rate(start + 10_500), 0, "the rejected second left the window");
  assert.equal(new SlidingFailureRate(5, 0).rate(0), 0);
});
