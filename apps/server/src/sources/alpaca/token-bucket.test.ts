import assert from "node:assert/strict";
import { test } from "node:test";
import { ManualClock } from "../../clock";
import { TokenBucket } from "./token-bucket";

test("the bucket allows a burst, then one request per refill interval", async () => {
  const clock = new ManualClock();
  const bucket = new TokenBucket(clock, 180, 3); // 3 per second
  await bucket.take();
  await bucket.take();
  await bucket.take();
  let granted = 0;
  const waiting = [bucket.take(), bucket.take()].map((p) => p.then(() => granted++));
  await Promise.resolve();
  assert.equal(granted, 0);
  clock.advance(333);
  await Promise.resolve();
  assert.equal(granted, 0, "a token takes 333.3 ms");
  clock.advance(1);
  await waiting[0];
  assert.equal(granted, 1);
  clock.advance(334);
  await waiting[1];
  assert.equal(granted, 2);
});

test("drain after a 429 makes the next request wait", async () => {
  const clock = new ManualClock();
  const bucket = new TokenBucket(clock, 60, 5);
  bucket.drain();
  assert.ok(bucket.available() < 1);
  let done = false;
  const next = bucket.take().then(() => (done = true));
  clock.advance(999);
  await Promise.resolve();
  assert.equal(done, false);
  clock.advance(1);
  await next;
  assert.equal(done, true);
});
