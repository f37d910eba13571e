import { sourceContract } from "../../../test/support/source-contract";
import { makeSource, startSim } from "../../../test/support/alpaca-sim-harness";

sourceContract("alpaca stream (simulator)", async () => {
  const sim = await startSim();
  const source = makeSource(sim);
  await source.start();
  return {
    source,
    symbols: ["AAPL", "MSFT", "TSLA"],
    // `down` refuses upgrades and forgets sessions, like an Alpaca outage.
    breakUpstream: () => sim.control.setFault({ target: "alpaca", fault: "down" }),
    restoreUpstream: () => sim.control.clearFaults("alpaca"),
    close: async () => {
      await source.stop();
      await sim.close();
    },
  };
});
