import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { minuteStart, nanosToRfc3339, rfc3339ToNanos } from "@torghut/contracts";
import { eventTimeParts, minutePosition } from "./event-time";

describe("eventTimeParts", () => {
  test("splits into whole seconds and nanoseconds, and knows the nine-digit UTC spelling", () => {
    assert.deepEqual(eventTimeParts("2026-01-05T15:00:00.123456789Z"), {
      seconds: 1_767_625_200,
      nanos: 123_456_789,
      canonical: true,
    });
    assert.deepEqual(eventTimeParts("2026-01-05T15:00:00.5Z"), {
      seconds: 1_767_625_200,
      nanos: 500_000_000,
      canonical: false,
    });
    assert.deepEqual(eventTimeParts("2026-01-05T15:00:00Z"), {
      seconds: 1_767_625_200,
      nanos: 0,
      canonical: false,
    });
    assert.deepEqual(eventTimeParts("2026-01-05T10:00:00.000000901-05:00"), {
      seconds: 1_767_625_200,
      nanos: 901,
      canonical: false,
    });
    assert.equal(eventTimeParts("yesterday"), null);
  });

  test("times before 1970 keep a non-negative nanosecond part", () => {
    assert.deepEqual(eventTimeParts("1969-12-31T23:59:59.999999999-00:00"), {
      seconds: -1,
      nanos: 999_999_999,
      canonical: false,
    });
  });

  test("only times event_ns (int8 nanoseconds) can hold parse: 1677-09-21 to 2262-04-11", () => {
    assert.equal(eventTimeParts("2262-04-11T23:47:16.854775807Z")?.nanos, 854_775_807);
    assert.equal(eventTimeParts("2262-04-11T23:47:16.854775808Z"), null);
    assert.equal(eventTimeParts("2300-01-01T00:00:00Z"), null);
    assert.equal(eventTimeParts("1677-09-21T00:12:43.145224192Z")?.nanos, 145_224_192);
    assert.equal(eventTimeParts("1677-09-21T00:12:43.145224191Z"), null);
    assert.equal(eventTimeParts("1600-01-01T00:00:00Z"), null);
  });

  test("a canonical string is exactly what nanosToRfc3339 prints", () => {
    for (const text of ["2026-01-05T15:00:00.000000001Z", "2262-04-11T23:47:16.854775807Z"]) {
      assert.equal(eventTimeParts(text)?.canonical, true);
      assert.equal(nanosToRfc3339(rfc3339ToNanos(text)!), text);
    }
  });
});

describe("minutePosition", () => {
  test("agrees with the BigInt path on the minute and the exact nanoseconds into it", () => {
    for (const text of [
      "2026-01-05T15:00:00.000000001Z",
      "2026-01-05T15:00:59.999999999Z",
      "2026-01-05T15:01:00Z",
      "2026-01-05T10:00:30.123456789-05:00",
      "2026-01-05T15:00:30.5+01:30",
    ]) {
      const nanos = rfc3339ToNanos(text)!;
      const minute = minuteStart(Number(nanos / 1_000_000n));
      assert.deepEqual(
        minutePosition(text),
        { minute, nanosInMinute: Number(nanos - BigInt(minute) * 1_000_000n) },
        text,
      );
    }
  });

  test("orders trades a nanosecond apart, and refuses what does not parse", () => {
    const a = minutePosition("2026-01-05T15:00:59.999999998Z")!;
    const b = minutePosition("2026-01-05T15:00:59.999999999Z")!;
    assert.equal(a.minute, b.minute);
    assert.ok(a.nanosInMinute < b.nanosInMinute);
    assert.equal(minutePosition("not a time"), null);
  });
});
