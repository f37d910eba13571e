/** `npm run sim`: the simulator on its own, until SIGINT/SIGTERM. */
import pino from "pino";
import { loadConfig } from "./config";
import { FEEDS } from "./alpaca/stream";
import { startSimulator } from "./simulator";

const log = pino({ name: "market-sim" });
const config = loadConfig(process.argv.slice(2));
const sim = await startSimulator({
  port: config.port,
  host: config.host,
  seed: config.seed,
  tradesPerSecond: config.tradesPerSecond,
  keys: [{ keyId: config.keyId, secretKey: config.secretKey, feeds: [...FEEDS] }],
});
log.info(
  {
    http: sim.url,
    alpacaStream: FEEDS.map((feed) => `${sim.alpacaStreamUrl}/v2/${feed}`),
    alpacaData: sim.alpacaDataUrl,
    alpacaTrading: `${sim.alpacaTradingUrl}/v2/clock`,
    yahoo: sim.yahooBaseUrl,
    control: `${sim.url}/control/faults`,
    keyId: config.keyId,
    seed: config.seed,
  },
  "simulated market listening",
);

let closing = false;
const shutdown = (signal: string): void => {
  if (closing) return;
  closing = true;
  log.info({ signal }, "closing simulated market");
  sim.close().then(
    () => process.exit(0),
    (error: unknown) => {
      log.error({ err: error }, "close failed");
      process.exit(1);
    },
  );
};
process.on("SIGINT", () => shutdown("SIGINT"));
process.on("SIGTERM", () => shutdown("SIGTERM"));
