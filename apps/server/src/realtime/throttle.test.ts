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

/** A ManualClock that counts the timers set on it. */
class CountingClock extends ManualClock {
  timersSet = 0;
  override setTimeout(fn: () => void, ms: number) {
    this.timersSet += 1;
    return super.setTimeout(fn, ms);
  }
}

test("trailing edges due in one slot share one timer and leave together, in the order offered", () => {
  const clock = new CountingClock();
  const emitted: [string, number, number][] = [];
  const throttle = new LatestValueThrottle<number>(clock, 50, (key, value) =>
    emitted.push([key, value, clock.now()]),
  );
  const t0 = clock.now();
  // 100 keys' leading edges spread over 1–7 ms past a slot boundary (t0 is one), then each key's
  // next value inside its interval: every trailing edge is due in the slot ending at t0 + 60.
  clock.advance(1);
  const keys = Array.from({ length: 100 }, (_, i) => `lines:K${i}`);
  keys.forEach((key, i) => {
    clock.advance(i % 15 === 14 ? 1 : 0);
    throttle.offer(key, 1);
  });
  keys.forEach((key) => throttle.offer(key, 2));
  assert.equal(emitted.length, 100, "every leading edge at once");
  assert.equal(clock.timersSet, 1, "one timer for the 100 trailing edges, all due in one slot");
  clock.advance(60);
  const trailing = emitted.slice(100);
  assert.deepEqual(
    trailing.map(([key, value]) => [key, value]),
    keys.map((key) => [key, 2]),
  );
  const at = trailing[0]![2];
  assert.ok(
    trailing.every(([, , time]) => time === at),
    "one slot, one moment",
  );
  assert.equal(at, t0 + 60, "past every key's interval, at most 10 ms after the first key's");
});

test("a key updated without pause gets one emission per interval, the slot width dividing it", () => {
  for (const perSecond of [20, 30, 7]) {
    const clock = new ManualClock();
    const times: number[] = [];
    const throttle = new LatestValueThrottle<number>(clock, 1000 / perSecond, () => times.push(clock.now()));
    const t0 = clock.now();
    for (let ms = 0; ms < 1000; ms++) {
      throttle.offer("lines:A", ms);
      clock.advance(1);
    }
    const inFirstSecond = times.filter((t) => t < t0 + 1000);
    assert.equal(inFirstSecond.length, perSecond, `${perSecond}/s: ${inFirstSecond.length} emissions`);
    throttle.dispose();
  }
});
