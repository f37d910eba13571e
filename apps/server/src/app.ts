import { randomBytes, randomUUID } from "node:crypto";
import { createBus, type MarketBus } from "./bus";
import { systemClock, type Clock } from "./clock";
import type { ServerConfig } from "./config";
import type { Database } from "@torghut/db";
import { BusObserver } from "./compose/bus-observer";
import { registerRoutes } from "./compose/http";
import { createIngest } from "./compose/ingest";
import { createRealtime, publishMarketData } from "./compose/realtime";
import { createStorage } from "./compose/storage";
import { createHttpServer } from "./http/server";
import type { OpsViews, ReplicaView } from "./http/views";
import { createLeadership, type Leadership } from "./leader";
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
  readonly bus: MarketBus;
  readonly leadership: Leadership;
}

/**
 * Composition root: builds every part from config. main.ts and in-process tests both use it.
 * ingest (leader only): sources → router → validation → store → bus.publish
 * realtime (ROLE all|realtime): bus.subscribe → hub → transports. With no BUS_URL the bus is
 * in-process, so a single process runs exactly the path N replicas run over NATS.
 */
export async function createTorghut(config: ServerConfig, deps: TorghutDeps): Promise<Torghut> {
  const { logger } = deps;
  const clock = deps.clock ?? systemClock;
  if (config.SIMULATED_MARKET)
    logger.warn("simulated market: prices come from the built-in simulator, not Alpaca");
  if (config.BUS_URL !== undefined && config.DATABASE_URL === undefined && config.ROLE !== "realtime") {
    logger.warn(
      "BUS_URL without DATABASE_URL: this process always leads; run exactly one replica with ROLE all|ingest",
    );
  }
  const authSecret = config.WS_AUTH_SECRET ?? ephemeralSecret(logger);
  const replicaId = randomUUID();
  const startedAt = new Date(clock.now()).toISOString();

  const storage = await createStorage(config, logger, clock);
  const bus = createBus(config, replicaId, logger, clock);
  const leadership = createLeadership(config, replicaId, logger, clock);
  const ingest = createIngest(config, storage, bus, leadership, logger, clock);
  const http = createHttpServer({ logger });
  // ROLE=ingest serves health, ops and metrics but no client transports: nobody should connect there.
  const realtime =
    config.ROLE === "ingest" ? null : createRealtime(config, http.server, authSecret, logger, clock);
  const unpublish = realtime === null ? () => undefined : publishMarketData(realtime.hub, bus, clock);
  const observer = new BusObserver(bus, leadership, realtime !== null, clock);
  const replica = (): ReplicaView => ({
    replicaId,
    role: config.ROLE,
    isLeader: leadership.isLeader,
    startedAt,
    leader: observer.leader(),
  });
  const views = registerRoutes(http, {
    config,
    storage,
    ingest,
    realtime,
    replica,
    observer,
    authSecret,
    logger,
    clock,
  });
  let address = "";

  return {
    views,
    database: storage.database,
    bus,
    leadership,
    async start() {
      await bus.connect();
      address = await http.listen({ port: config.PORT, host: config.HOST });
      await ingest.start();
      logger.info(
        {
          url: address,
          replicaId,
          role: config.ROLE,
          bus: bus.kind,
          leadership: leadership.kind,
          isLeader: leadership.isLeader,
          simulatedMarket: config.SIMULATED_MARKET,
          symbols: config.symbols.length,
          feed: config.ALPACA_FEED,
        },
        config.SIMULATED_MARKET ? "Torghut listening (simulated market)" : "Torghut listening",
      );
    },
    async stop() {
      // Stop taking clients, then close upstream and hand leadership over, then commit everything accepted.
      await realtime?.shutdown();
      await ingest.stop();
      unpublish();
      observer.close();
      await bus.close();
      await http.close();
      await storage.close();
    },
    url: () => address,
  };
}

function ephemeralSecret(logger: Logger): string {
  logger.warn(
    "WS_AUTH_SECRET is not set: using a random secret for this run; tokens will not survive a restart",
  );
  return randomBytes(32).toString("hex");
}
