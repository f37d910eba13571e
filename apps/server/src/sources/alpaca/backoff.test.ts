import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ExponentialBackoff } from "./backoff";

describe("ExponentialBackoff", () => {
  test("doubles from the base delay up to the cap, never giving up", () => {
    const backoff = new ExponentialBackoff({ baseDelayMs: 1000, maxDelayMs: 60_000, jitter: 0 });
    const delays = Array.from({ length: 10 }, () => backoff.next());
    assert.deepEqual(delays, [1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000, 60_000]);
    assert.equal(backoff.attempts, 10);
  });

  test("jitter spreads the delay within ±jitter and stays under the cap", () => {
    const low = new ExponentialBackoff({
      baseDelayMs: 1000,
      maxDelayMs: 60_000,
      jitter: 0.2,
      random: () => 0,
    });
    const high = new ExponentialBackoff({
      baseDelayMs: 1000,
      maxDelayMs: 60_000,
      jitter: 0.2,
      random: () => 0.999999,
    });
    assert.equal(low.next(), 800);
    assert.equal(high.next(), 1200);
    const capped = new ExponentialBackoff({
      baseDelayMs: 1000,
      maxDelayMs: 5000,
      jitter: 0.2,
      random: () => 0.999999,
    });
    for (let i = 0; i < 10; i++) assert.ok(capped.next() <= 5000);
  });

  test("reset starts again from the base delay", () => {
    const backoff = new ExponentialBackoff({ baseDelayMs: 500, maxDelayMs: 60_000, jitter: 0 });
    backoff.next();
    backoff.next();
    backoff.reset();
    assert.equal(backoff.next(), 500);
  });
});
