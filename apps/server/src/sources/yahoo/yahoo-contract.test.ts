import { startSimulator } from "@torghut/market-sim";
import { pino } from "pino";
import { systemClock } from "../../clock";
import { sourceContract } from "../../../test/support/source-contract";
import { YahooClient } from "./client";
import { YahooSource } from "./poller";

sourceContract("yahoo chart polling (simulator)", async () => {
  const symbols = ["AAPL", "MSFT", "TSLA"];
  const sim = await startSimulator({ port: 0, seed: 11, symbols, tradesPerSecond: 200 });
  const logger = pino({ level: "silent" });
  const source = new YahooSource({
    client: new YahooClient({ baseUrl: sim.yahooBaseUrl, logger }),
    clock: systemClock,
    logger,
    symbols,
    pollIntervalMs: 50,
  });
  await source.start();
  return {
    source,
    symbols,
    breakUpstream: () => sim.control.setFault({ target: "yahoo", fault: "down" }),
    restoreUpstream: () => sim.control.clearFaults("yahoo"),
    close: async () => {
      await source.stop();
      await sim.close();
    },
  };
});
