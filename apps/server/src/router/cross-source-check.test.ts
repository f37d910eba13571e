import assert from "node:assert/strict";
import { test } from "node:test";
import { startSimulator } from "@torghut/market-sim";
import { pino } from "pino";
import { eventually } from "@torghut/testing";
import { systemClock } from "../clock";
import { AlpacaStreamSource, staticCredentials } from "../sources/alpaca";
import { YahooClient } from "../sources/yahoo/client";
import { CrossSourceCheck } from "./cross-source-check";

const SYMBOLS = ["AAPL", "MSFT", "TSLA", "NVDA"];
const logger = pino({ level: "silent" });

/**
 * Two simulators built from the same seed and start time quote the same market; a `spike` on the
 * one serving Alpaca makes the primary diverge from Yahoo, as a bad feed would.
 */
test("cross-source delta over 5 % is counted and shown, and never switches anything", async () => {
  const startTime = Date.now();
  const opts = { port: 0, seed: 21, symbols: SYMBOLS, tradesPerSecond: 200, startTime };
  const [primarySim, yahooSim] = await Promise.all([startSimulator(opts), startSimulator(opts)]);
  const alpaca = new AlpacaStreamSource({
    streamUrl: primarySim.alpacaStreamUrl,
    feed: "iex",
    credentials: staticCredentials({ keyId: "sim-key", secretKey: "sim-secret" }),
    symbols: SYMBOLS,
    logger,
  });
  let primaryActive = true;
  const check = new CrossSourceCheck({
    primary: alpaca,
    sampler: new YahooClient({ baseUrl: yahooSim.yahooBaseUrl, logger }),
    isPrimaryActive: () => primaryActive,
    symbols: () => SYMBOLS,
    clock: systemClock,
    logger,
    intervalMs: 3_600_000, // rounds are driven by the test
    symbolsPerRound: 2,
  });
  try {
    check.start();
    await alpaca.start();
    await eventually(() => alpaca.health().messagesReceived > 50, "primary trades", 10_000);

    const first = await check.runRound();
    const second = await check.runRound();
    assert.deepEqual(
      [...first, ...second].sort(),
      [...SYMBOLS].sort(),
      "the subset rotates through every symbol",
    );
    assert.equal(check.view().deltasOverThreshold, 0, "same market, no delta");

    primarySim.control.setFault({ target: "alpaca", fault: "spike", symbol: "TSLA", percent: 20 });
    const spikeAt = alpaca.health().messagesReceived;
    await eventually(() => alpaca.health().messagesReceived > spikeAt + 100, "spiked trades", 10_000);
    await check.runRound();
    await check.runRound();
    const view = check.view();
    assert.equal(view.deltasOverThreshold, 1);
    assert.equal(view.recentDeltas[0]!.symbol, "TSLA");
    assert.ok(view.recentDeltas[0]!.deltaPercent > 5 && view.recentDeltas[0]!.deltaPercent < 30);
    assert.equal(view.thresholdPercent, 5);

    primaryActive = false;
    assert.deepEqual(await check.runRound(), [], "no sampling while the fallback is active");
  } finally {
    check.stop();
    await alpaca.stop();
    await Promise.all([primarySim.close(), yahooSim.close()]);
  }
});
