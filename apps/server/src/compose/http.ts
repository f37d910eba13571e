import type { FastifyInstance } from "fastify";
import type { Clock } from "../clock";
import type { ServerConfig } from "../config";
import type { Logger } from "../logger";
import { registerHealthRoutes } from "../http/health";
import { registerLiveness } from "../http/liveness";
import { registerMetricsRoutes } from "../http/metrics";
import { registerOpsRoutes } from "../http/ops";
import { registerSymbolRoutes } from "../http/symbols";
import { registerTaRoutes } from "../http/ta/routes";
import type { OpsViews, ReplicaView } from "../http/views";
import { insertSourceEvent } from "../store/repositories";
import type { MarketData } from "./market-data";
import type { Realtime } from "./realtime";
import type { Storage } from "./storage";

export interface HttpParts {
  config: ServerConfig;
  storage: Storage;
  marketData: MarketData;
  realtime: Realtime;
  replica: ReplicaView;
  authSecret: string;
  logger: Logger;
  clock: Clock;
}

/** Every REST route on the one server: health and ops (runbooks), symbols, metrics, TA. */
export function registerRoutes(app: FastifyInstance, parts: HttpParts): OpsViews {
  const { config, storage, marketData, realtime, clock } = parts;
  const views: OpsViews = {
    router: () => marketData.router.snapshot(),
    alpaca: () => marketData.alpaca?.health() ?? null,
    yahoo: () => marketData.yahoo.health(),
    ingest: () => marketData.pipeline.stats(),
    validation: () => ({ ...marketData.validator.stats(), failureRate: marketData.validator.failureRate() }),
    writer: () => storage.writer.stats(),
    realtime: () => realtime.hub.stats(),
    backfill: () => marketData.backfiller.recentReports(),
    replica: () => parts.replica,
    simulatedMarket: config.SIMULATED_MARKET,
  };
  registerLiveness(app);
  registerHealthRoutes(app, views, clock, {
    primaryMaxSilenceMs: Math.max(1000, config.MESSAGE_TIMEOUT_SECONDS * 1000),
    fallbackMaxSilenceMs: 2 * config.YAHOO_POLL_INTERVAL_SECONDS * 1000 + 30_000,
    writerMaxCommitAgeMs: 30_000,
  });
  registerSymbolRoutes(app, storage.database);
  registerMetricsRoutes(app);
  registerTaRoutes(app, {
    database: storage.database,
    clock,
    livePrice: (symbol) => marketData.pipeline.lastTrade(symbol),
  });
  registerOpsRoutes(app, {
    actions: {
      forceFallback: (actor) => marketData.router.forceFallback(actor),
      reconnectPrimary: (actor) => marketData.router.reconnectPrimary(actor),
      releaseToAutomatic: (actor) => marketData.router.releaseManual(actor),
    },
    audit: {
      record: async ({ actor, action, result, state, at }) => {
        const current = marketData.router.currentState;
        await insertSourceEvent(storage.database, {
          fromState: current,
          toState: (state as typeof current | null) ?? current,
          reason: `ops ${action}: ${result}`,
          actor,
          at,
        });
      },
    },
    clock,
    logger: parts.logger,
    authSecret: parts.authSecret,
    adminSubjects: config.ADMIN_TOKEN_SUBJECTS,
  });
  return views;
}
