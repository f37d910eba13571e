import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { MarketClock } from "../../src/market-hours/market-clock";

/** A clock to test, and instants to read it at (each clock knows which instants it can answer for). */
export interface MarketClockHarness {
  clock: MarketClock;
  /** Instants with the session open, and with it closed. */
  openAt: number[];
  closedAt: number[];
  close?(): Promise<void>;
}

const HOUR = 3_600_000;

/**
 * What every MarketClock must answer, whichever source it reads (the trading API, the calendar):
 * open or not, the next open and close in the right order, and a last close in the past.
 */
export function marketClockContract(name: string, makeHarness: () => Promise<MarketClockHarness>): void {
  describe(`MarketClock contract: ${name}`, () => {
    test("open: the session closes later today, opens again after that, last closed before now", async () => {
      const h = await makeHarness();
      try {
        for (const now of h.openAt) {
          const r = await h.clock.read(now);
          assert.equal(r.open, true, new Date(now).toISOString());
          assert.ok(r.nextClose > now && r.nextClose - now <= 7 * HOUR, "closes within the session");
          assert.ok(r.nextOpen > r.nextClose, "the next open follows the close");
          assert.ok(r.lastClose !== null && r.lastClose < now && now - r.lastClose < 5 * 24 * HOUR);
        }
      } finally {
        await h.close?.();
      }
    });

    test("closed: the next open is ahead and its close after it; the last close is behind", async () => {
      const h = await makeHarness();
      try {
        for (const now of h.closedAt) {
          const r = await h.clock.read(now);
          assert.equal(r.open, false, new Date(now).toISOString());
          assert.ok(r.nextOpen > now, "opens in the future");
          assert.ok(r.nextClose > r.nextOpen, "closes after it opens");
          assert.ok(r.lastClose === null || r.lastClose <= now);
        }
      } finally {
        await h.close?.();
      }
    });
  });
}
