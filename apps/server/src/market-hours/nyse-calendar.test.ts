import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { marketClockContract } from "../../test/support/market-clock-contract";
import { LocalNyseCalendar } from "./nyse-calendar";

const cal = new LocalNyseCalendar();
const at = (iso: string) => Date.parse(iso);
const read = (iso: string) => cal.readSync(at(iso));
const isoOf = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

marketClockContract("local NYSE calendar", () =>
  Promise.resolve({
    clock: cal,
    // A Wednesday 11:00 EST, a Monday 15:59 EDT; a Saturday, a Good Friday, a weekday evening.
    openAt: [at("2026-01-07T16:00:00Z"), at("2026-06-08T19:59:00Z")],
    closedAt: [at("2026-01-10T16:00:00Z"), at("2026-04-03T15:00:00Z"), at("2026-01-07T22:00:00Z")],
  }),
);

describe("local NYSE calendar", () => {
  test("regular session 09:30–16:00 New York, across the DST change", () => {
    assert.equal(read("2026-03-06T14:29:59Z").open, false, "09:29:59 EST");
    assert.equal(read("2026-03-06T14:30:00Z").open, true, "09:30 EST");
    assert.equal(read("2026-03-09T13:30:00Z").open, true, "09:30 EDT after the change");
    assert.equal(read("2026-03-09T20:00:00Z").open, false, "16:00 EDT");
  });

  test("weekends and exchange holidays: closed; the next open skips them", () => {
    const friday = read("2026-04-03T15:00:00Z"); // Good Friday
    assert.equal(friday.open, false);
    assert.equal(isoOf(friday.nextOpen), "2026-04-06T13:30:00.000Z", "Monday 09:30 EDT");
    assert.equal(isoOf(friday.lastClose), "2026-04-02T20:00:00.000Z", "Thursday 16:00 EDT");
    const weekend = read("2026-01-17T12:00:00Z"); // Saturday before MLK day
    assert.equal(
      isoOf(weekend.nextOpen),
      "2026-01-20T14:30:00.000Z",
      "Tuesday, after Martin Luther King Jr. Day",
    );
    assert.equal(read("2026-12-25T16:00:00Z").open, false, "Christmas");
    assert.equal(read("2026-07-03T15:00:00Z").open, false, "Independence Day observed on Friday July 3");
  });

  test("early closes at 13:00: the day after Thanksgiving, Christmas Eve, July 3", () => {
    const blackFriday = read("2025-11-28T17:30:00Z"); // 12:30 EST
    assert.equal(blackFriday.open, true);
    assert.equal(isoOf(blackFriday.nextClose), "2025-11-28T18:00:00.000Z", "13:00 EST");
    assert.equal(read("2025-11-28T18:30:00Z").open, false);
    assert.equal(read("2025-12-24T19:00:00Z").open, false, "Christmas Eve after 13:00");
    assert.equal(read("2025-07-03T17:30:00Z").open, false, "July 3 after 13:00 EDT");
    assert.equal(read("2025-07-02T17:30:00Z").open, true, "an ordinary day");
  });

  test("the last close on a Monday morning is Friday's", () => {
    assert.equal(isoOf(read("2026-01-12T13:00:00Z").lastClose), "2026-01-09T21:00:00.000Z");
  });
});
