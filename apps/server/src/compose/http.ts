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
import type { BusObserver } from "./bus-observer";
import type { Ingest } from "./ingest";
import type { MarketData } from "./market-data";
import { insertSourceEvent } from "../store/repositories";
import type { Realtime } from "./realtime";
import type { Storage } from "./storage";

export interface HttpParts {
  config: ServerConfig;
  storage: Storage;
  ingest: Ingest;
  /** null for ROLE=ingest, which serves no clients. */
  realtime: Realtime | null;
  replica: () => ReplicaView;
  observer: BusObserver;
  authSecret: string;
  logger: Logger;
  clock: Clock;
}

/** Every REST route on the one server: health and ops (runbooks), symbols, metrics, TA. */
export function registerRoutes(app: FastifyInstance, parts: HttpParts): OpsViews {
  const { config, storage, ingest, realtime, observer, clock } = parts;
  // Ingest parts exist only during a leadership term: a standby or ROLE=realtime answers null.
  const term = () => ingest.current();
  const views: OpsViews = {
    router: () => term()?.router.snapshot() ?? null,
    alpaca: () => term()?.alpaca?.health() ?? null,
    yahoo: () => term()?.yahoo.health() ?? null,
    ingest: () => term()?.pipeline.stats() ?? null,
    validation: () => {
      const validator = term()?.validator;
      return validator === undefined ? null : { ...validator.stats(), failureRate: validator.failureRate() };
    },
    writer: () => (config.ROLE === "realtime" ? null : storage.writer.stats()),
    realtime: () => realtime?.hub.stats() ?? null,
    backfill: () => term()?.backfiller.recentReports() ?? [],
    replica: parts.replica,
    bus: () => observer.view(),
    simulatedMarket: config.SIMULATED_MARKET,
  };
  const leading = (): MarketData => {
    const current = term();
    if (current === null) throw new NotLeaderError(parts.replica().leader?.replicaId ?? null);
    return current;
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
    livePrice: (symbol) => term()?.pipeline.lastTrade(symbol) ?? observer.lastTrade(symbol),
  });
  registerOpsRoutes(app, {
    actions: {
      forceFallback: (actor) => leading().router.forceFallback(actor),
      reconnectPrimary: (actor) => leading().router.reconnectPrimary(actor),
      releaseToAutomatic: (actor) => leading().router.releaseManual(actor),
    },
    audit: {
      record: async ({ actor, action, result, state, at }) => {
        const current = term()?.router.currentState ?? "BOTH_UNAVAILABLE";
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

/** Ops actions drive the router, which only the leader runs: 409 names the replica to ask instead. */
export class NotLeaderError extends Error {
  override readonly name = "NotLeaderError";
  readonly retryable = true;
  readonly statusCode = 409;

  constructor(readonly leaderReplicaId: string | null) {
    super(
      leaderReplicaId === null
        ? "This replica does not lead and no leader is known yet; retry shortly"
        : `This replica does not lead; send ops calls to the leader (replica ${leaderReplicaId})`,
    );
  }
}
