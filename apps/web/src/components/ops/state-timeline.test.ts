import assert from "node:assert/strict";
import { test } from "node:test";
import type { SourceEventRecord } from "@torghut/contracts";
import { bandsOf } from "./state-timeline";

const H = 3_600_000;
const T = Date.parse("2026-12-02T12:00:00Z");
const event = (
  hoursAgo: number,
  from: SourceEventRecord["fromState"],
  to: SourceEventRecord["toState"],
  id: number,
) => ({
  id,
  at: new Date(T - hoursAgo * H).toISOString(),
  fromState: from,
  toState: to,
  reason: `r${id}`,
  actor: "system",
});

test("bands: the state at the window's start, then one band per transition, newest last", () => {
  const bands = bandsOf(T - 24 * H, T, "PRIMARY_ACTIVE", [
    event(2, "FALLBACK_ACTIVE", "PRIMARY_ACTIVE", 2),
    event(6, "PRIMARY_ACTIVE", "FALLBACK_ACTIVE", 1),
  ]);
  assert.deepEqual(
    bands.map((b) => [b.state, (T - b.from) / H, (T - b.to) / H, b.event?.reason ?? null]),
    [
      ["PRIMARY_ACTIVE", 24, 6, null],
      ["FALLBACK_ACTIVE", 6, 2, "r1"],
      ["PRIMARY_ACTIVE", 2, 0, "r2"],
    ],
  );
});

test("no recorded transition: unknown until the router's `since`, its current state after", () => {
  const bands = bandsOf(T - 24 * H, T, null, [], { state: "PRIMARY_ACTIVE", sinceMs: T - H });
  assert.deepEqual(
    bands.map((b) => [b.state, (T - b.from) / H, (T - b.to) / H]),
    [
      [null, 24, 1],
      ["PRIMARY_ACTIVE", 1, 0],
    ],
  );
});
