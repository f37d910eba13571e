import { rfc3339ToMillis, type Trade } from "@torghut/contracts";
import type { Database } from "@torghut/db";
import type { FastifyInstance } from "fastify";
import type { Clock } from "../clock";
import type { ServerConfig } from "../config";
import type { Logger } from "../logger";
import { registerHealthRoutes } from "../http/health";
import { registerLiveness } from "../http/liveness";
import { registerMetricsRoutes } from "../http/metrics";
import { isOperator, registerOpsRoutes, type OpsAudit } from "../http/ops";
import { redactBody } from "../http/redaction";
import { registerSymbolRoutes } from "../http/symbols";
import { registerTaRoutes } from "../http/ta/routes";
import type { OpsViews, ReplicaView } from "../http/views";
import type { DatabaseView } from "../health/database-probe";
import type { BusObserver } from "./bus-observer";
import type { IngestSide } from "../ingest/side";
import { insertSourceEvent } from "../store/repositories";
import type { Realtime } from "./realtime";
import { createPreviousCloseBook } from "./previous-closes";
import { OpsHistory } from "../http/ops-history";
import { registerOpsConsoleRoutes } from "../http/ops-console-routes";
import { PrometheusHistory } from "../prometheus/prometheus-history";
import { OPS_AUDIENCE, type TokenVerifier } from "../realtime/auth";
import { registerWatchlistRoutes } from "../watchlists/watchlist-routes";
import { SqlWatchlistStore } from "../watchlists/watchlist-store";

export interface HttpParts {
  config: ServerConfig;
  /** Reads for the symbol and TA routes and the ops audit (the tick writer is ingest's). */
  database: Database;
  /** The readiness probe of that database: /readyz names the database when it stops answering. */
  databaseView: () => DatabaseView;
  ingest: IngestSide;
  /** null for ROLE=ingest, which serves no clients. */
  realtime: Realtime | null;
  replica: () => ReplicaView;
  observer: BusObserver;
  tokens: TokenVerifier;
  logger: Logger;
  clock: Clock;
}

/** Every REST route on the one server: health and ops (runbooks), symbols, users' watchlists, metrics, TA. */
export function registerRoutes(app: FastifyInstance, parts: HttpParts): OpsViews {
  const { config, database, ingest, realtime, observer, clock } = parts;
  const views: OpsViews = {
    ...ingest.views,
    realtime: () => realtime?.hub.stats() ?? null,
    replica: parts.replica,
    bus: () => observer.view(),
    ingestThread: () => ingest.thread(),
    database: parts.databaseView,
    simulatedMarket: config.SIMULATED_MARKET,
  };
  const history = new OpsHistory(clock, () => ({
    messageRate: views.ingest()?.messagesPerSecond ?? null,
    feedLagMs: feedLag(config.symbols, (symbol) => observer.lastTrade(symbol)),
    writerLagMs: views.writer()?.commitLagMs ?? null,
    clients: views.realtime()?.TotalConnections ?? null,
  }));
  // Sampling starts when the server is ready: a start-up that fails before leaves no timer behind.
  app.addHook("onReady", (done) => {
    history.start();
    done();
  });
  app.addHook("onClose", (_instance, done) => {
    history.stop();
    done();
  });
  registerLiveness(app);
  registerPublicHealthRoutes(app, parts, views, history);
  registerSymbolRoutes(app, database);
  registerWatchlistRoutes(app, {
    store: new SqlWatchlistStore(database),
    tokens: parts.tokens,
    clock,
    logger: parts.logger,
  });
  registerMetricsRoutes(app, ingest.metrics?.bind(ingest));
  registerTaRoutes(app, {
    database,
    clock,
    // Every accepted trade is published on the bus, wherever ingest runs: the observer has the latest.
    livePrice: (symbol) => observer.lastTrade(symbol),
    signalsPerMinutePerIp: config.TA_SIGNALS_PER_MINUTE_PER_IP,
    previousCloses: createPreviousCloseBook(config, parts.logger, clock),
  });
  registerOpsRoutes(app, {
    actions: ingest.actions,
    audit: opsAuditOf(database, views),
    clock,
    logger: parts.logger,
    tokens: parts.tokens,
    adminSubjects: config.ADMIN_TOKEN_SUBJECTS,
    perAddressPerMinute: config.OPS_RATE_PER_IP_PER_MINUTE,
    actionTimeoutMs: config.OPS_ACTION_TIMEOUT_MS,
  });
  return views;
}

/**
 * The runbooks' health endpoints and the ops console's reads, in a plugin scope (encapsulation) so
 * that the redaction hook covers these routes only.
 */
function registerPublicHealthRoutes(
  app: FastifyInstance,
  parts: HttpParts,
  views: OpsViews,
  history: OpsHistory,
): void {
  const { config, database, clock } = parts;
  // Health bodies are public: their error texts lose any address (http/redaction.ts) unless an
  // operator asks with an ops token, who gets the full text (as the logs have it).
  // A plugin scope (encapsulation) so the hook covers these routes only; fastify wants it async or done-style.
  void app.register((health, _options, done) => {
    health.addHook("preSerialization", async (request, _reply, payload) =>
      (await operatorAsks(request.headers.authorization, parts.tokens, config.ADMIN_TOKEN_SUBJECTS))
        ? payload
        : redactBody(payload),
    );
    registerOpsConsoleRoutes(health, {
      database,
      clock,
      history,
      ...(config.PROMETHEUS_URL === undefined
        ? {}
        : { prometheus: new PrometheusHistory({ baseUrl: config.PROMETHEUS_URL, clock }) }),
    });
    registerHealthRoutes(health, views, clock, {
      primaryMaxSilenceMs: Math.max(1000, config.MESSAGE_TIMEOUT_SECONDS * 1000),
      fallbackMaxSilenceMs: 2 * config.YAHOO_POLL_INTERVAL_SECONDS * 1000 + 30_000,
      writerMaxCommitAgeMs: 30_000,
      writerHoldGraceMs: 1000,
    });
    done();
  });
}

/** Ops calls are audited as source events, next to the router's own transitions. */
function opsAuditOf(database: HttpParts["database"], views: OpsViews): OpsAudit {
  return {
    // One row per attempt: `ops failover: refused (forbidden) from 203.0.113.9`, actor = the subject.
    record: async ({ actor, action, result, detail, address, state, at }) => {
      const current = views.router()?.connectionState ?? "BOTH_UNAVAILABLE";
      await insertSourceEvent(database, {
        fromState: current,
        toState: (state as typeof current | null) ?? current,
        reason: `ops ${action}: ${result}${detail === null ? "" : ` (${detail})`} from ${address}`,
        actor,
        at,
      });
    },
  };
}

async function operatorAsks(
  authorization: string | undefined,
  tokens: TokenVerifier,
  adminSubjects: readonly string[],
): Promise<boolean> {
  if (authorization?.startsWith("Bearer ") !== true) return false;
  try {
    return isOperator(await tokens.verify(authorization.slice(7).trim(), OPS_AUDIENCE), adminSubjects);
  } catch {
    return false;
  }
}

/** The feed's lag as the newest trade heard shows it: receive time minus event time. */
function feedLag(
  symbols: readonly string[],
  lastTrade: (symbol: string) => Trade | undefined,
): number | null {
  let newest: Trade | undefined;
  for (const symbol of symbols) {
    const trade = lastTrade(symbol);
    if (trade !== undefined && (newest === undefined || trade.receivedAt > newest.receivedAt)) newest = trade;
  }
  return newest === undefined ? null : Math.max(0, newest.receivedAt - rfc3339ToMillis(newest.eventTime));
}
