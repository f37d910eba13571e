import { randomBytes, randomUUID } from "node:crypto";
import { systemClock, type Clock } from "./clock";
import type { ServerConfig } from "./config";
import type { Database } from "@torghut/db";
import { registerRoutes } from "./compose/http";
import { createMarketData } from "./compose/market-data";
import { createRealtime, publishMarketData } from "./compose/realtime";
import { createStorage } from "./compose/storage";
import { createHttpServer } from "./http/server";
import type { OpsViews } from "./http/views";
import type { Logger } from "./logger";

export interface TorghutDeps {
  logger: Logger;
  clock?: Clock;
}

export interface Torghut {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Bound address after start (port 0 in tests picks a free one). */
  url(): string;
  readonly views: OpsViews;
  readonly database: Database;
}

/** Composition root: builds every part from config. main.ts and in-process tests both use it. */
export async function createTorghut(config: ServerConfig, deps: TorghutDeps): Promise<Torghut> {
  const { logger } = deps;
  const clock = deps.clock ?? systemClock;
  if (config.SIMULATED_MARKET) logger.warn("simulated market: prices come from the built-in simulator, not Alpaca");
  const authSecret = config.WS_AUTH_SECRET ?? ephemeralSecret(logger);

  const storage = await createStorage(config, logger, clock);
  const marketData = createMarketData(config, storage, logger, clock);
  const http = createHttpServer({ logger });
  const realtime = createRealtime(config, http.server, authSecret, logger, clock);
  const unpublish = publishMarketData(realtime.hub, marketData, storage, clock);
  const replica = { replicaId: randomUUID(), role: config.ROLE, isLeader: true, startedAt: new Date(clock.now()).toISOString() };
  const views = registerRoutes(http, { config, storage, marketData, realtime, replica, authSecret, logger, clock });
  let address = "";

  return {
    views,
    database: storage.database,
    async start() {
      address = await http.listen({ port: config.PORT, host: config.HOST });
      await marketData.start();
      logger.info(
        { url: address, simulatedMarket: config.SIMULATED_MARKET, symbols: config.symbols.length, feed: config.ALPACA_FEED },
        config.SIMULATED_MARKET ? "Torghut listening (simulated market)" : "Torghut listening",
      );
    },
    async stop() {
      // Stop taking clients and upstream data first, then commit everything accepted.
      await realtime.shutdown();
      await marketData.stop();
      unpublish();
      await http.close();
      await storage.close();
    },
    url: () => address,
  };
}

function ephemeralSecret(logger: Logger): string {
  logger.warn("WS_AUTH_SECRET is not set: using a random secret for this run; tokens will not survive a restart");
  return randomBytes(32).toString("hex");
}
