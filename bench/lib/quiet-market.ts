// False failovers in a quiet but open market (issue #14): the real stream client, Yahoo poller and
// router against the simulator at a realistic low trade rate, with the README's default settings,
// on one manual clock so that simulated hours pass in minutes. A failover here is a false one: the
// feed never broke, it was only quiet.
import { startSimulator } from "@torghut/market-sim";
import { eventually } from "@torghut/testing";
import { pino } from "pino";
import { ManualClock } from "../../apps/server/src/clock";
import { DataSourceRouter } from "../../apps/server/src/router";
import { AlpacaStreamSource, staticCredentials } from "../../apps/server/src/sources/alpaca";
import { YahooClient } from "../../apps/server/src/sources/yahoo/client";
import { YahooSource } from "../../apps/server/src/sources/yahoo/poller";

export interface QuietFigures {
  tradesPerSecond: number;
  simulatedHours: number;
  dataMessages: number;
  longestGapS: number;
  failovers: number;
  perHour: number;
}

const STEP_MS = 250;
/** Lets the sockets carry what the simulator sent in one step (not a wait for a condition). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function quietMarket(tradesPerSecond: number, hours: number): Promise<QuietFigures> {
  const start = Date.UTC(2026, 0, 7, 15, 0); // a Wednesday, 10:00 EST: the session is open
  const symbols = ["AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA", "JPM", "V", "KO"];
  const sim = await startSimulator({
    port: 0,
    seed: 23,
    symbols,
    tradesPerSecond,
    manualClock: true,
    startTime: start,
  });
  const clock = new ManualClock(start);
  const logger = pino({ level: "silent" });
  const alpaca = new AlpacaStreamSource({
    streamUrl: sim.alpacaStreamUrl,
    feed: "iex",
    credentials: staticCredentials({ keyId: "sim-key", secretKey: "sim-secret" }),
    symbols,
    clock,
    logger,
    messageTimeoutMs: 30_000,
    pingIntervalMs: 3_600_000, // pings run on the manual clock: their answers arrive in real time
  });
  const yahoo = new YahooSource({
    client: new YahooClient({ baseUrl: sim.yahooBaseUrl, logger }),
    clock,
    logger,
    symbols,
    pollIntervalMs: 60_000,
    startActive: false,
  });
  const router = new DataSourceRouter({
    primary: alpaca,
    fallback: yahoo,
    sink: () => undefined,
    clock,
    logger,
    // The README's defaults.
    settings: {
      primaryEnabled: true,
      maxConsecutiveFailures: 3,
      messageTimeoutMs: 30_000,
      fallbackActivationDelayMs: 10_000,
      primaryRecoveryGraceMs: 10_000,
    },
  });
  let data = 0;
  let lastDataAt = start;
  let longestGap = 0;
  alpaca.onEvent((e) => {
    if (e.type !== "trade" && e.type !== "quote" && e.type !== "bar") return;
    data += 1;
    longestGap = Math.max(longestGap, clock.now() - lastDataAt);
    lastDataAt = clock.now();
  });
  await router.start();
  // The handshake runs on real sockets: let it finish before simulated time starts to run.
  await eventually(() => alpaca.health().healthy, "Alpaca subscribed", 30_000);
  for (let t = 0; t < hours * 3_600_000; t += STEP_MS) {
    sim.control.advance(STEP_MS);
    for (let i = 0; i < 4; i++) await settle();
    clock.advance(STEP_MS);
  }
  const failovers = router.snapshot().fallbackCount;
  await router.stop();
  await sim.close();
  return {
    tradesPerSecond,
    simulatedHours: hours,
    dataMessages: data,
    longestGapS: longestGap / 1000,
    failovers,
    perHour: failovers / hours,
  };
}
