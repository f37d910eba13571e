import { insertSourceEvent } from "../store/repositories";
import type { BusPublisher } from "../bus";
import type { Clock } from "../clock";
import type { ServerConfig } from "../config";
import type { Logger } from "../logger";
import { IngestPipeline } from "../pipeline/ingest-pipeline";
import { CrossSourceCheck, DataSourceRouter, routerSettingsFromConfig } from "../router";
import { alpacaBarsFetcher } from "../backfill/alpaca-bars";
import { GapBackfiller } from "../backfill/gap-backfiller";
import { YahooBarsFetcher } from "../backfill/yahoo-bars";
import { upsertBars } from "../store/bars/minute-bars";
import {
  AlpacaRestClient,
  AlpacaStreamSource,
  credentialsFromConfig,
  historicalFeedFor,
} from "../sources/alpaca";
import { YahooClient } from "../sources/yahoo/client";
import { YahooSource } from "../sources/yahoo/poller";
import { countCircuitBreakerTripsFor } from "../validation/metrics";
import { TradeValidator } from "../validation/trade-validator";
import type { Storage } from "./storage";
import { SymbolFreshnessTracker } from "../freshness/symbol-freshness";
import type { MarketHours } from "../market-hours/market-hours";
import { createMarketHours } from "./market-session";
import type { CredentialsProvider } from "../sources/alpaca";

export interface MarketData {
  alpaca: AlpacaStreamSource | null;
  yahoo: YahooSource;
  router: DataSourceRouter;
  validator: TradeValidator;
  pipeline: IngestPipeline;
  backfiller: GapBackfiller;
  crossCheck: CrossSourceCheck | null;
  marketHours: MarketHours;
  freshness: SymbolFreshnessTracker;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * sources → router → validation → store and bus: the ingest half of the process. Only the router
 * decides which source feeds the pipeline; the pipeline alone hands ticks to the writer and
 * publishes what clients see onto `bus`.
 */
export function createMarketData(
  config: ServerConfig,
  storage: Storage,
  bus: BusPublisher,
  logger: Logger,
  clock: Clock,
): MarketData {
  const credentials = credentialsFromConfig(config);
  const marketHours = createMarketHours(config, credentials, logger, clock);
  const { alpaca, rest, yahooClient, yahoo } = createSources(config, credentials, marketHours, logger, clock);
  const validator = createValidator(config, logger, clock);
  // The router is built after the pipeline it feeds; freshness asks it for the active source later.
  const routing: { router: DataSourceRouter | null } = { router: null };
  const freshness = trackFreshness(config, { alpaca, marketHours, routing }, clock);
  const pipeline = new IngestPipeline({
    validator,
    writer: storage.writer,
    aggregator: storage.aggregator,
    freshness,
    bus,
    rejections: storage.rejections,
    clock,
  });
  const { router, crossCheck } = createRouter(
    config,
    storage,
    { alpaca, yahoo, yahooClient, pipeline, marketHours },
    logger,
    clock,
  );
  routing.router = router;
  const backfiller = new GapBackfiller({
    primary: alpacaBarsFetcher(rest),
    fallback: new YahooBarsFetcher(yahooClient),
    sink: { upsertBars: (bars) => upsertBars(storage.database, bars) },
    symbols: () => config.symbols,
    clock,
    logger: logger.child({ component: "backfill" }),
  });
  router.onGap((gap) => void backfiller.handle(gap));

  return {
    alpaca,
    yahoo,
    router,
    validator,
    pipeline,
    backfiller,
    crossCheck,
    marketHours,
    freshness,
    async start() {
      // The session's state first: the router must not count last night's quiet as silence.
      await marketHours.start();
      await router.start();
      crossCheck?.start();
      // Charts should open on history, not on an empty axis: fetch the recent minutes we were not
      // running for (the same backfill that closes failover gaps; upserts are idempotent).
      if (config.STARTUP_BACKFILL_MINUTES > 0) {
        const endMs = clock.now() - (clock.now() % 60_000);
        void backfiller.handle({
          startMs: endMs - config.STARTUP_BACKFILL_MINUTES * 60_000,
          endMs,
          cause: "reconnect",
        });
      }
    },
    async stop() {
      marketHours.stop();
      crossCheck?.stop();
      await router.stop();
      await backfiller.stop();
    },
  };
}

/** The tick rules and circuit breaker, with a trip counter at zero for every served symbol. */
function createValidator(config: ServerConfig, logger: Logger, clock: Clock): TradeValidator {
  countCircuitBreakerTripsFor(config.symbols);
  return new TradeValidator({
    clock,
    logger,
    futureToleranceSeconds: config.VALIDATION_FUTURE_TOLERANCE_SECONDS,
    circuitBreakerPercent: config.CIRCUIT_BREAKER_PERCENT,
  });
}

/** The upstreams: Alpaca's stream (when enabled) and REST, Yahoo's client and its poller. */
function createSources(
  config: ServerConfig,
  credentials: CredentialsProvider,
  marketHours: MarketHours,
  logger: Logger,
  clock: Clock,
) {
  const alpaca = config.ENABLE_ALPACA_STREAMING
    ? new AlpacaStreamSource({
        streamUrl: config.alpacaStreamUrl,
        feed: config.ALPACA_FEED,
        credentials,
        symbols: config.symbols,
        clock,
        logger: logger.child({ component: "alpaca-stream" }),
        messageTimeoutMs: config.MESSAGE_TIMEOUT_SECONDS * 1000,
        reconnectBaseDelayMs: config.RECONNECT_BASE_DELAY_MS,
        reconnectMaxDelayMs: config.RECONNECT_MAX_DELAY_MS,
        connectionLimitDelayMs: config.ALPACA_CONNECTION_LIMIT_DELAY_MS,
        silenceExpected: () => !marketHours.isOpen(),
      })
    : null;
  const rest = new AlpacaRestClient({
    dataUrl: config.alpacaDataUrl,
    credentials,
    ...(historicalFeedFor(config.ALPACA_FEED) ? { feed: historicalFeedFor(config.ALPACA_FEED) } : {}),
    delayed: config.ALPACA_FEED === "delayed_sip",
    requestsPerMinute: config.ALPACA_REST_REQUESTS_PER_MINUTE,
    requestTimeoutMs: config.ALPACA_REST_TIMEOUT_SECONDS * 1000,
    clock,
    logger: logger.child({ component: "alpaca-rest" }),
  });
  const yahooClient = new YahooClient({
    baseUrl: config.yahooBaseUrl,
    logger: logger.child({ component: "yahoo" }),
    requestTimeoutMs: config.YAHOO_REQUEST_TIMEOUT_SECONDS * 1000,
  });
  const yahoo = new YahooSource({
    client: yahooClient,
    clock,
    logger: logger.child({ component: "yahoo-poller" }),
    symbols: config.symbols,
    pollIntervalMs: config.YAHOO_POLL_INTERVAL_SECONDS * 1000,
    startActive: false,
    requestTimeoutMs: config.YAHOO_REQUEST_TIMEOUT_SECONDS * 1000,
    // Probing a standby only makes sense when there is a primary to stand by for.
    standbyProbeIntervalMs: config.ENABLE_ALPACA_STREAMING ? config.YAHOO_STANDBY_PROBE_SECONDS * 1000 : 0,
  });
  return { alpaca, rest, yahooClient, yahoo };
}

/** The router, recording its transitions as source events, and (with a primary) the cross-source check. */
function createRouter(
  config: ServerConfig,
  storage: Storage,
  parts: {
    alpaca: AlpacaStreamSource | null;
    yahoo: YahooSource;
    yahooClient: YahooClient;
    pipeline: IngestPipeline;
    marketHours: MarketHours;
  },
  logger: Logger,
  clock: Clock,
): { router: DataSourceRouter; crossCheck: CrossSourceCheck | null } {
  const { alpaca } = parts;
  let router: DataSourceRouter | null = null;
  const crossCheck =
    alpaca === null
      ? null
      : new CrossSourceCheck({
          primary: alpaca,
          sampler: parts.yahooClient,
          isPrimaryActive: () => router?.currentState === "PRIMARY_ACTIVE",
          symbols: () => config.symbols,
          clock,
          logger: logger.child({ component: "cross-source" }),
          intervalMs: config.YAHOO_POLL_INTERVAL_SECONDS * 1000,
          thresholdPercent: config.CROSS_SOURCE_MAX_DELTA_PERCENT,
        });
  router = new DataSourceRouter({
    primary: alpaca,
    fallback: parts.yahoo,
    sink: parts.pipeline.handle,
    clock,
    logger: logger.child({ component: "router" }),
    settings: routerSettingsFromConfig(config),
    recorder: {
      record: (t) =>
        insertSourceEvent(storage.database, {
          fromState: t.from,
          toState: t.to,
          reason: t.reason,
          actor: t.actor,
          at: t.at,
        }).then(() => undefined),
    },
    ...(crossCheck === null ? {} : { crossSource: crossCheck }),
    marketSession: parts.marketHours,
  });
  return { router, crossCheck };
}

/** Per-symbol freshness, fed by accepted trades (the pipeline) and Alpaca's trading-status notices. */
function trackFreshness(
  config: ServerConfig,
  parts: {
    alpaca: AlpacaStreamSource | null;
    marketHours: MarketHours;
    routing: { router: DataSourceRouter | null };
  },
  clock: Clock,
): SymbolFreshnessTracker {
  const { marketHours, routing } = parts;
  const freshness = new SymbolFreshnessTracker(
    () => config.symbols,
    clock,
    { staleFactor: config.SYMBOL_STALE_FACTOR, minStaleMs: config.SYMBOL_STALE_MIN_SECONDS * 1000 },
    () => marketHours.isOpen(),
    () => routing.router?.snapshot().currentDataSource ?? null,
  );
  parts.alpaca?.onEvent((event) => {
    if (event.type !== "notice" || event.halted === undefined) return;
    for (const symbol of event.symbols ?? []) freshness.tradingStatus(symbol, event.halted, event.message);
  });
  return freshness;
}
