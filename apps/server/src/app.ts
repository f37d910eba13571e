import type { ServerConfig } from "./config";
import { createHttpServer } from "./http/server";
import { registerLiveness } from "./http/liveness";
import type { Logger } from "./logger";

export interface TorghutDeps {
  logger: Logger;
}

export interface Torghut {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Bound address after start (port 0 in tests picks a free one). */
  url(): string;
}

/** Composition root: builds every part from config. main.ts and in-process tests both use it. */
export async function createTorghut(config: ServerConfig, deps: TorghutDeps): Promise<Torghut> {
  const { logger } = deps;
  const http = createHttpServer({ logger });
  registerLiveness(http);
  let address = "";

  return {
    async start() {
      address = await http.listen({ port: config.PORT, host: config.HOST });
      logger.info(
        { url: address, simulatedMarket: config.SIMULATED_MARKET, symbols: config.symbols.length },
        config.SIMULATED_MARKET ? "Torghut listening (simulated market)" : "Torghut listening",
      );
    },
    async stop() {
      await http.close();
    },
    url: () => address,
  };
}
