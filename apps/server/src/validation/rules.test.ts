import assert from "node:assert/strict";
import { test } from "node:test";
import { checkTrade } from "./rules";
import { makeTrade } from "../../test/support/make-trade";

const now = Date.UTC(2026, 0, 5, 15, 0, 0);
const rules = { futureToleranceMs: 300_000 };

test("price must be > 0 and size ≥ 0", () => {
  assert.equal(checkTrade(makeTrade({ price: 0 }), now, rules)?.reason, "non_positive_price");
  assert.equal(checkTrade(makeTrade({ price: -1 }), now, rules)?.reason, "non_positive_price");
  assert.equal(checkTrade(makeTrade({ size: -5 }), now, rules)?.reason, "negative_size");
  assert.equal(checkTrade(makeTrade({ size: 0 }), now, rules), null, "zero size is allowed");
});

test("event time: small skew ahead passes, beyond the tolerance is rejected", () => {
  const at = (ms: number) => new Date(now + ms).toISOString().replace("Z", "123456Z");
  assert.equal(
    checkTrade(makeTrade({ eventTime: at(2_000) }), now, rules),
    null,
    "2 s ahead: venue clock skew",
  );
  assert.equal(checkTrade(makeTrade({ eventTime: at(299_000) }), now, rules), null);
  const violation = checkTrade(makeTrade({ eventTime: at(301_000) }), now, rules);
  assert.equal(violation?.reason, "future_timestamp");
  assert.match(violation.detail, /TSLA event time .* 301 s ahead/);
  assert.equal(
    checkTrade(makeTrade({ eventTime: "2026-13-45T99:99:99Z" }), now, rules)?.reason,
    "invalid_timestamp",
  );
  assert.equal(
    checkTrade(makeTrade({ eventTime: at(-86_400_000) }), now, rules),
    null,
    "old ticks are not rejected",
  );
});
