import assert from "node:assert/strict";
import { test } from "node:test";
import { CircuitBreaker, breakerMessage } from "./circuit-breaker";

test("the log line is exactly the runbook's", () => {
  assert.equal(
    breakerMessage("TSLA", 25, 20),
    "Circuit breaker triggered: TSLA price movement 25% exceeds 20% threshold",
  );
  assert.equal(
    breakerMessage("TSLA", 25.04, 20),
    "Circuit breaker triggered: TSLA price movement 25% exceeds 20% threshold",
  );
  assert.equal(
    breakerMessage("AAPL", 33.333, 20),
    "Circuit breaker triggered: AAPL price movement 33.3% exceeds 20% threshold",
  );
});

test("a lone spike trips and does not move the anchor", () => {
  const breaker = new CircuitBreaker({ thresholdPercent: 20 });
  assert.equal(breaker.assess("TSLA", 100).tripped, false);
  const verdict = breaker.assess("TSLA", 125);
  assert.ok(verdict.tripped);
  assert.equal(verdict.movePercent, 25);
  assert.equal(breaker.anchorOf("TSLA"), 100);
  assert.equal(breaker.assess("TSLA", 101).tripped, false, "back in band");
  assert.equal(breaker.assess("TSLA", 80).tripped, true, "-20.8 % from 101");
  assert.equal(breaker.assess("TSLA", 81.2).tripped, false, "exactly 19.6 % below the 101 anchor is in band");
});

test("moves within ±20 % pass and move the anchor; symbols are independent", () => {
  const breaker = new CircuitBreaker({ thresholdPercent: 20 });
  breaker.assess("AAPL", 100);
  breaker.assess("MSFT", 400);
  assert.equal(breaker.assess("AAPL", 119).tripped, false);
  assert.equal(breaker.assess("AAPL", 140).tripped, false, "17.6 % from the new anchor 119");
  assert.equal(breaker.assess("MSFT", 401).tripped, false);
});

test("a real move re-anchors after three consistent ticks at the new level", () => {
  const breaker = new CircuitBreaker({ thresholdPercent: 20, confirmTicks: 3, confirmTolerancePercent: 2 });
  breaker.assess("NVDA", 100);
  assert.equal(breaker.assess("NVDA", 130).tripped, true);
  assert.equal(breaker.assess("NVDA", 131).tripped, true);
  assert.equal(breaker.assess("NVDA", 130.5).tripped, false, "third consistent tick confirms the level");
  assert.equal(breaker.anchorOf("NVDA"), 130.5);
  assert.equal(breaker.assess("NVDA", 131).tripped, false);
});

test("scattered bad prints do not confirm a level", () => {
  const breaker = new CircuitBreaker({ thresholdPercent: 20, confirmTicks: 3, confirmTolerancePercent: 2 });
  breaker.assess("META", 100);
  assert.equal(breaker.assess("META", 150).tripped, true);
  assert.equal(breaker.assess("META", 60).tripped, true);
  assert.equal(breaker.assess("META", 170).tripped, true);
  assert.equal(breaker.anchorOf("META"), 100);
});

test("seed sets the reference before the first live tick", () => {
  const breaker = new CircuitBreaker({ thresholdPercent: 20 });
  breaker.seed("AMD", 100);
  assert.equal(breaker.assess("AMD", 150).tripped, true);
});
