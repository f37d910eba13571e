import assert from "node:assert/strict";
import { test } from "node:test";
import { ManualClock } from "../clock";
import { LatestValueThrottle } from "./throttle";

test("emits the first update at once and the last of a burst on the trailing edge, per key", () => {
  const clock = new ManualClock();
  const emitted: [string, number, number][] = [];
  const throttle = new LatestValueThrottle<number>(clock, 50, (key, value) =>
    emitted.push([key, value, clock.now()]),
  );
  const t0 = clock.now();
  for (let v = 1; v <= 5; v++) throttle.offer("lines:A", v);
  throttle.offer("lines:B", 100);
  assert.deepEqual(emitted, [
    ["lines:A", 1, t0],
    ["lines:B", 100, t0],
  ]);
  clock.advance(49);
  assert.equal(emitted.length, 2);
  clock.advance(1);
  assert.deepEqual(emitted[2], ["lines:A", 5, t0 + 50]);
  assert.equal(throttle.supersededCount, 3);
  clock.advance(50);
  throttle.offer("lines:A", 6);
  assert.deepEqual(
    emitted[3],
    ["lines:A", 6, t0 + 100],
    "an update after a quiet interval goes straight out",
  );
  throttle.offer("lines:A", 7);
  throttle.dispose();
  clock.advance(1000);
  assert.equal(emitted.length, 4, "dispose cancels the trailing timer");
});
