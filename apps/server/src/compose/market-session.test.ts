import assert from "node:assert/strict";
import { test } from "node:test";
import { eventually } from "@torghut/testing";
import { startSimulator } from "@torghut/market-sim";
import { ManualClock } from "../clock";
import { loadConfig } from "../config";
import { createLogger } from "../logger";
import { staticCredentials } from "../sources/alpaca";
import { createMarketHours } from "./market-session";

test("the market clock is read at MARKET_CLOCK_REFRESH_SECONDS, not held back by its own request budget", async () => {
  const start = Date.UTC(2026, 0, 7, 17, 0); // a Wednesday, 12:00 EST
  const sim = await startSimulator({ port: 0, manualClock: true, startTime: start, symbols: ["AAPL"] });
  const keys = { keyId: "sim-key", secretKey: "sim-secret" };
  const config = loadConfig({
    ALPACA_KEY_ID: keys.keyId,
    ALPACA_SECRET_KEY: keys.secretKey,
    ALPACA_TRADING_URL: sim.alpacaTradingUrl,
    MARKET_CLOCK_REFRESH_SECONDS: "0.5",
  });
  const clock = new ManualClock(start);
  const hours = createMarketHours(config, staticCredentials(keys), createLogger("silent"), clock);
  const readAt = () => Date.parse(hours.status().checkedAt);
  try {
    await hours.start();
    assert.equal(hours.status().decidedBy, "trading-api-clock");
    // A minute of refreshes, on the clock the budget counts on: every one must reach the clock.
    for (let read = 1; read <= 120; read++) {
      clock.advance(500);
      const due = clock.now();
      await eventually(
        () => readAt() === due,
        `read ${read} of 120 at ${new Date(due).toISOString()}`,
        10_000,
      );
    }
    assert.equal(hours.status().clockError, null);
  } finally {
    hours.stop();
    await sim.close();
  }
});

test("MARKET_CLOCK_REFRESH_SECONDS under 0.5 s is refused: more reads than Alpaca allows an account", () => {
  assert.throws(() => loadConfig({ MARKET_CLOCK_REFRESH_SECONDS: "0.2" }), /MARKET_CLOCK_REFRESH_SECONDS/);
});
