import assert from "node:assert/strict";
import { test } from "node:test";
import { minuteStart, nanosToRfc3339, nyDate, rfc3339ToMillis, rfc3339ToNanos } from "./time";

test("keeps nanosecond digits so ordering within a millisecond survives", () => {
  const a = rfc3339ToNanos("2024-03-01T14:30:00.123456789Z");
  const b = rfc3339ToNanos("2024-03-01T14:30:00.12345679Z");
  assert.equal(a, 1709303400123456789n);
  assert.ok(a !== null && b !== null && a < b);
});

test("accepts offsets and missing fractions, rejects garbage", () => {
  assert.equal(rfc3339ToNanos("2024-03-01T09:30:00-05:00"), 1709303400000000000n);
  assert.equal(rfc3339ToNanos("not a time"), null);
  assert.ok(Number.isNaN(rfc3339ToMillis("2024-13-45")));
});

test("round-trips through the nine-digit form", () => {
  const text = "2024-03-01T14:30:00.000000001Z";
  assert.equal(nanosToRfc3339(rfc3339ToNanos(text)!), text);
});

test("minuteStart floors to the UTC minute", () => {
  assert.equal(minuteStart(Date.UTC(2024, 2, 1, 14, 30, 59, 999)), Date.UTC(2024, 2, 1, 14, 30));
});

test("nyDate: the New York calendar day of an instant, in winter and summer time", () => {
  assert.equal(nyDate(Date.parse("2026-01-05T04:59:59Z")), "2026-01-04", "EST: UTC−5");
  assert.equal(nyDate(Date.parse("2026-01-05T05:00:00Z")), "2026-01-05");
  assert.equal(nyDate(Date.parse("2026-07-01T03:59:59Z")), "2026-06-30", "EDT: UTC−4");
  assert.equal(nyDate(Date.parse("2026-07-01T04:00:00Z")), "2026-07-01");
});
