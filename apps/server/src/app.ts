import { randomBytes, randomUUID } from "node:crypto";
import { createBus, type MarketBus } from "./bus";
import { systemClock, type Clock } from "./clock";
import { authSecretProblem, type ServerConfig } from "./config";
import type { Database } from "@torghut/db";
import { BusObserver } from "./compose/bus-observer";
import { registerRoutes } from "./compose/http";
import { DatabaseProbe } from "./health/database-probe";
import { createRealtime, publishMarketData } from "./compose/realtime";
import { openDatabase } from "./compose/storage";
import { buildIngest } from "./ingest/build";
import type { IngestSide } from "./ingest/side";
import { IngestThread } from "./ingest-thread/ingest-thread";
import { createHttpServer } from "./http/server";
import type { OpsViews, ReplicaView } from "./http/views";
import type { Leadership } from "./leader";
import type { Logger } from "./logger";
import { TokenVerifier } from "./realtime/auth";
import { AuthSecretsFile } from "./security/auth-secrets-file";

export interface TorghutDeps {
  logger: Logger;
  clock?: Clock;
}

export interface Torghut {
  start(): Promise<void>;
  stop(): Promise<void>;
  /**
   * The shutdown deadline passed or a second signal came: the tick writer spools what it has not
   * committed, now, instead of waiting for the database (stop() may still be running).
   */
  forceStop(): void;
  /** Bound address after start (port 0 in tests picks a free one). */
  url(): string;
  readonly views: OpsViews;
  readonly database: Database;
  readonly bus: MarketBus;
  readonly leadership: Leadership;
  /** The ingest thread when INGEST_THREAD puts ingest on one; null when ingest is inline. */
  readonly ingestThread: IngestThread | null;
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
  const tokens = tokenVerifier(config, logger);
  const replicaId = randomUUID();
  const startedAt = new Date(clock.now()).toISOString();

  const bus = createBus(config, replicaId, logger, clock);
  let observer: BusObserver | null = null;
  const knownLeader = () => observer?.leader().replicaId ?? null;
  const placed = await placeIngest(config, { replicaId, bus, knownLeader, logger, clock });
  const { database, leadership } = placed;
  const http = createHttpServer({ logger, trustedProxies: config.TRUSTED_PROXIES });
  // ROLE=ingest serves health, ops and metrics but no client transports: nobody should connect there.
  const realtime =
    config.ROLE === "ingest" ? null : createRealtime(config, http.server, tokens, logger, clock);
  const unpublish = realtime === null ? () => undefined : publishMarketData(realtime.hub, bus, clock);
  observer = new BusObserver(bus, leadership, realtime !== null, clock);
  const busObserver = observer;
  const replica = (): ReplicaView => ({
    replicaId,
    role: config.ROLE,
    isLeader: leadership.isLeader,
    startedAt,
    leader: busObserver.leader(),
  });
  const databaseProbe = probeDatabase(config, database, logger, clock);
  const views = registerRoutes(http, {
    config,
    database,
    databaseView: () => databaseProbe.view(),
    ingest: placed.side,
    realtime,
    replica,
    observer: busObserver,
    tokens,
    logger,
    clock,
  });
  let address = "";

  return {
    views,
    database,
    bus,
    leadership,
    ingestThread: placed.thread,
    async start() {
      await bus.connect();
      databaseProbe.start();
      address = await http.listen({ port: config.PORT, host: config.HOST });
      await placed.start();
      logListening(logger, config, { url: address, replicaId, bus, leadership });
    },
    async stop() {
      // Stop taking clients, then close upstream and hand leadership over, then commit everything accepted.
      await realtime?.shutdown();
      await placed.stop();
      unpublish();
      busObserver.close();
      await bus.close();
      await http.close();
      databaseProbe.stop();
      await placed.close();
    },
    forceStop: () => placed.forceStop(),
    url: () => address,
  };
}

interface PlacedIngest {
  side: IngestSide;
  thread: IngestThread | null;
  leadership: Leadership;
  /** This thread's database handle: reads for the API, and the writer too when ingest is inline. */
  database: Database;
  start(): Promise<void>;
  /** Ends ingest: upstream closed, every accepted tick committed. */
  stop(): Promise<void>;
  close(): Promise<void>;
  forceStop(): void;
}

/**
 * INGEST_THREAD: on its own thread the ingest half keeps its own storage and leadership and this
 * thread only opens the database for reads; inline, both halves share this event loop.
 */
async function placeIngest(
  config: ServerConfig,
  parts: {
    replicaId: string;
    bus: MarketBus;
    knownLeader: () => string | null;
    logger: Logger;
    clock: Clock;
  },
): Promise<PlacedIngest> {
  const { logger } = parts;
  if (config.ingestOnWorker) {
    const database = await openDatabase(config, logger);
    const thread = new IngestThread({ config, ...parts });
    return {
      side: thread,
      thread,
      leadership: thread.leadership,
      database,
      start: () => thread.start(),
      stop: () => thread.stop(),
      close: () => database.close(),
      forceStop: () => thread.forceStop(),
    };
  }
  const { storage, leadership, ingest, side } = await buildIngest(config, parts);
  return {
    side,
    thread: null,
    leadership,
    database: storage.database,
    start: () => ingest.start(),
    stop: () => ingest.stop(),
    close: () => storage.close(),
    forceStop: () => storage.forceClose(),
  };
}

function probeDatabase(
  config: ServerConfig,
  database: Database,
  logger: Logger,
  clock: Clock,
): DatabaseProbe {
  return new DatabaseProbe(database, {
    intervalMs: config.DATABASE_PROBE_INTERVAL_MS,
    timeoutMs: config.DATABASE_PROBE_TIMEOUT_MS,
    clock,
    logger: logger.child({ component: "database-probe" }),
  });
}

/** The start line operators look for: where it listens, what it runs, whether it leads. */
function logListening(
  logger: Logger,
  config: ServerConfig,
  started: { url: string; replicaId: string; bus: MarketBus; leadership: Leadership },
): void {
  logger.info(
    {
      url: started.url,
      replicaId: started.replicaId,
      role: config.ROLE,
      bus: started.bus.kind,
      leadership: started.leadership.kind,
      isLeader: started.leadership.isLeader,
      ingestThread: config.ingestOnWorker ? "worker" : "inline",
      simulatedMarket: config.SIMULATED_MARKET,
      symbols: config.symbols.length,
      feed: config.ALPACA_FEED,
    },
    config.SIMULATED_MARKET ? "Torghut listening (simulated market)" : "Torghut listening",
  );
}

/** WS_AUTH_SECRET (and the previous one during a rotation); unset, a random secret for this run. */
function tokenVerifier(config: ServerConfig, logger: Logger): TokenVerifier {
  const policy = { issuer: config.WS_TOKEN_ISSUER, maxTtlSeconds: config.MAX_TOKEN_TTL_SECONDS };
  if (config.WS_AUTH_SECRET_FILE !== undefined) {
    const file = new AuthSecretsFile(config.WS_AUTH_SECRET_FILE, authSecretProblem, logger);
    return new TokenVerifier({ ...policy, secrets: () => file.current() });
  }
  let secret = config.WS_AUTH_SECRET;
  if (secret === undefined) {
    logger.warn(
      "WS_AUTH_SECRET is not set: using a random secret for this run; tokens will not survive a restart",
    );
    secret = randomBytes(32).toString("hex");
  }
  return new TokenVerifier({
    ...policy,
    secrets:
      config.WS_AUTH_SECRET_PREVIOUS === undefined ? [secret] : [secret, config.WS_AUTH_SECRET_PREVIOUS],
  });
}
