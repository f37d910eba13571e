import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { startSimulator } from "@torghut/market-sim";
import { pino } from "pino";
import { ManualClock } from "../clock";
import { marketClockContract } from "../../test/support/market-clock-contract";
import { AlpacaRestClient, staticCredentials } from "../sources/alpaca";
import { MarketHours } from "./market-hours";
import { LocalNyseCalendar } from "./nyse-calendar";
import { TradingApiClock } from "./trading-api-clock";

const logger = pino({ level: "silent" });
const KEYS = { keyId: "sim-key", secretKey: "sim-secret" };

function restFor(url: string, keys = KEYS) {
  return new AlpacaRestClient({
    dataUrl: url,
    credentials: staticCredentials(keys),
    maxRetries: 0,
    requestTimeoutMs: 1_000,
  });
}

/** The simulator's session is open unless told otherwise, at any hour. */
marketClockContract("Alpaca trading-API clock (simulator)", async () => {
  const start = Date.UTC(2026, 0, 7, 17, 0); // a Wednesday, 12:00 EST
  const open = await startSimulator({ port: 0, manualClock: true, startTime: start, symbols: ["AAPL"] });
  const closed = await startSimulator({
    port: 0,
    manualClock: true,
    startTime: start,
    symbols: ["AAPL"],
    marketOpen: false,
  });
  const openClock = new TradingApiClock(restFor(open.alpacaTradingUrl));
  const closedClock = new TradingApiClock(restFor(closed.alpacaTradingUrl));
  return {
    clock: {
      name: "trading-api-clock",
      read: (now) => (now === start + 1 ? closedClock.read(start) : openClock.read(now)),
    },
    openAt: [start],
    closedAt: [start + 1],
    close: async () => {
      await open.close();
      await closed.close();
    },
  };
});

/** MarketHours on the simulator's trading-API clock, refreshed every second, with what listeners heard. */
function hoursOn(tradingUrl: string, clock: ManualClock): { hours: MarketHours; heard: boolean[] } {
  const hours = new MarketHours({
    tradingClock: new TradingApiClock(restFor(tradingUrl)),
    calendar: new LocalNyseCalendar(),
    clock,
    logger,
    refreshMs: 1_000,
  });
  const heard: boolean[] = [];
  hours.onChange((open) => heard.push(open));
  return { hours, heard };
}

describe("MarketHours: the trading-API clock decides, the local calendar stands in", () => {
  test("the clock's open/close reaches listeners; an unreachable clock falls back with a reason", async () => {
    const sim = await startSimulator({ port: 0, symbols: ["AAPL"] });
    // A Saturday by the wall clock: the local calendar alone would say closed.
    const clock = new ManualClock(Date.UTC(2026, 0, 10, 16, 0));
    const { hours, heard } = hoursOn(sim.alpacaTradingUrl, clock);
    try {
      assert.equal(hours.isOpen(), false, "before the first read: the local calendar");
      await hours.start();
      assert.equal(hours.isOpen(), true, "the trading-API clock decides: the simulator is open");
      assert.equal(hours.status().decidedBy, "trading-api-clock");
      // Closed at once (no announcement): the next read alone must carry the change to listeners.
      sim.control.setMarketOpen(false, 0);
      await hours.refresh();
      assert.deepEqual(heard, [true, false]);
      assert.equal(hours.status().open, false);
      assert.ok(hours.status().lastClose !== null);
      sim.control.setFault({ target: "trading", fault: "down" });
      await hours.refresh();
      const status = hours.status();
      assert.equal(status.decidedBy, "local-calendar");
      assert.match(
        status.clockError ?? "",
        /trading-API clock could not be read .*503.* check ALPACA_TRADING_URL/,
      );
    } finally {
      hours.stop();
      await sim.close();
    }
  });

  test("an announced close takes effect at its time while the next clock read hangs", async () => {
    // The failure this guards: the stream falls quiet at the close exactly, and a read of the clock
    // that is late (throttled by the clock's request budget, or a hung trading API) kept the session
    // "open" past it, so the silence read as an outage and the router failed over at every close.
    // A Saturday, on both clocks: the local calendar says closed before the first read, so what
    // listeners hear does not depend on the hour the test runs at (during NYSE hours the calendar
    // would already say open, and the first read would change nothing).
    const saturday = Date.UTC(2026, 0, 10, 16, 0);
    const sim = await startSimulator({ port: 0, manualClock: true, startTime: saturday, symbols: ["AAPL"] });
    const clock = new ManualClock(saturday);
    const { hours, heard } = hoursOn(sim.alpacaTradingUrl, clock);
    try {
      await hours.start();
      assert.equal(hours.isOpen(), true);
      sim.control.setMarketOpen(false, 5_000);
      await hours.refresh();
      const closeAt = Date.parse(hours.status().nextClose ?? "");
      assert.ok(closeAt > clock.now() && closeAt <= clock.now() + 6_000, "the clock announced the close");
      // Every read from now on hangs: the next refresh (due within a second) stays in flight.
      sim.control.setFault({ target: "trading", fault: "hang" });
      clock.advance(closeAt - clock.now() - 1);
      assert.equal(hours.isOpen(), true, "open until the announced instant");
      clock.advance(1);
      assert.deepEqual(heard, [true, false], "listeners hear the close at its time, not after a read");
      assert.equal(hours.isOpen(), false);
      assert.equal(hours.status().open, false);
    } finally {
      hours.stop();
      sim.control.clearFaults();
      await sim.close();
    }
  });

  test("refused keys say which settings to check", async () => {
    const sim = await startSimulator({ port: 0, symbols: ["AAPL"] });
    try {
      const clock = new TradingApiClock(restFor(sim.alpacaTradingUrl, { keyId: "live-key", secretKey: "x" }));
      await assert.rejects(
        clock.read(Date.now()),
        /refused the keys \(HTTP 401\) — check ALPACA_KEY_ID .*ALPACA_TRADING_URL/,
      );
    } finally {
      await sim.close();
    }
  });
});
