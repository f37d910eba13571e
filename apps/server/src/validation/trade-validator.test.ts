import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { test } from "node:test";
import pino from "pino";
import { ManualClock } from "../clock";
import { makeTrade } from "../../test/support/make-trade";
import { TradeValidator } from "./trade-validator";

function capturingLogger() {
  const lines: { msg: string; level: number }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as { msg: string; level: number });
      done();
    },
  });
  return { lines, logger: pino({ level: "info" }, stream) };
}

test("accepted, suspicious and rejected outcomes with the runbook log lines", async () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 5, 15, 0, 0));
  const { lines, logger } = capturingLogger();
  const validator = new TradeValidator({
    clock,
    logger,
    futureToleranceSeconds: 300,
    circuitBreakerPercent: 20,
  });
  const first = makeTrade({ price: 100 });
  const accepted = validator.validate(first);
  assert.equal(accepted.status, "accepted");
  assert.equal(accepted.status === "accepted" && accepted.trade, first, "no copy on the hot path");

  const spike = validator.validate(makeTrade({ price: 125 }));
  assert.equal(spike.status, "suspicious");
  assert.equal(spike.status === "suspicious" && spike.trade.suspicious, true);

  const future = validator.validate(makeTrade({ eventTime: "2026-01-05T15:10:00Z" }));
  assert.equal(future.status, "rejected");
  assert.equal(future.status === "rejected" && future.rejection.reason, "future_timestamp");
  assert.equal(
    future.status === "rejected" && future.rejection.trade.symbol,
    "TSLA",
    "the rejected tick is kept whole",
  );
  validator.validate(makeTrade({ price: -1 }));

  await new Promise((resolve) => setImmediate(resolve));
  const messages = lines.map((l) => l.msg);
  assert.ok(messages.includes("Circuit breaker triggered: TSLA price movement 25% exceeds 20% threshold"));
  assert.ok(messages.some((m) => /^Validation failed: TSLA event time .* ahead/.test(m)));
  assert.ok(messages.some((m) => m === "Validation failed: TSLA price -1 is not > 0"));
  assert.deepEqual(validator.stats(), {
    checked: 4,
    suspicious: 1,
    rejected: 2,
    rejectedByReason: { future_timestamp: 1, non_positive_price: 1 },
  });
  assert.equal(validator.failureRate(), 0.5);
  clock.advance(301_000);
  assert.equal(validator.failureRate(), 0, "outside the 300 s window");
});
