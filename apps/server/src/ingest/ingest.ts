import type { StatusMessage } from "@torghut/contracts";
import type { BusPublisher } from "../bus";
import type { Clock, TimerHandle } from "../clock";
import type { ServerConfig } from "../config";
import type { Leadership } from "../leader";
import type { Logger } from "../logger";
import { messageRateSources } from "../pipeline/metrics";
import { createMarketData, type MarketData } from "../compose/market-data";
import type { Storage } from "../compose/storage";

/** How often the leader announces itself (and the router status) to every replica. */
export const LEADER_HEARTBEAT_MS = 2000;

export interface Ingest {
  /** The market data of the current leadership term; null while this replica does not lead. */
  current(): MarketData | null;
  start(): Promise<void>;
  /** Ends the term (upstream closed, in-flight work done) before the leadership lock is released. */
  stop(): Promise<void>;
}

interface Term {
  marketData: MarketData;
  readRate: () => number;
  heartbeat: TimerHandle;
  stopped: Promise<void> | null;
}

/**
 * The ingest half, run only by the leader: each leadership term builds a fresh sources → router →
 * validation → store chain and publishes what clients see onto the bus; losing leadership stops it
 * at once (the upstream socket is closed in the same turn the loss is heard).
 */
export function createIngest(
  config: ServerConfig,
  storage: Storage,
  bus: BusPublisher,
  leadership: Leadership,
  logger: Logger,
  clock: Clock,
): Ingest {
  let term: Term | null = null;
  let previousStop: Promise<void> = Promise.resolve();
  let starting: Promise<void> = Promise.resolve();

  // Bars come from the shared aggregator; only the leader's are news for the other replicas.
  // Indicators are derived from them on the realtime side, which alone needs them.
  storage.onBar((bar) => {
    if (term !== null) bus.publish({ type: "bar", bar });
  });

  const announce = (marketData: MarketData) =>
    bus.publish({
      type: "leader",
      replicaId: bus.replicaId,
      since: leadership.leaderSince ?? clock.now(),
      status: statusOf(marketData),
    });

  const begin = () => {
    if (term !== null) return;
    // The term's pipeline publishes its accepted trades and quotes onto the bus itself.
    const marketData = createMarketData(config, storage, bus, logger, clock);
    marketData.router.onStatus(() => bus.publish({ type: "status", status: statusOf(marketData) }));
    const readRate = () => marketData.pipeline.stats().messagesPerSecond;
    messageRateSources.add(readRate);
    const heartbeat = clock.setInterval(() => announce(marketData), LEADER_HEARTBEAT_MS);
    const current: Term = { marketData, readRate, heartbeat, stopped: null };
    term = current;
    logger.info({ replicaId: bus.replicaId }, "leading: connecting upstream");
    // DDL (partitions ahead, retention) from one replica only: the leader, for as long as it leads.
    void storage.maintenance.start();
    bus.publish({ type: "status", status: statusOf(marketData) });
    announce(marketData);
    // A new term waits until the previous one has fully closed its upstream session.
    starting = previousStop
      .then(() => (term === current ? marketData.start() : undefined))
      .catch((error: unknown) => logger.error({ err: error }, "market data failed to start"));
  };

  const end = (): Promise<void> => {
    const current = term;
    if (current === null) return previousStop;
    term = null;
    clock.clearInterval(current.heartbeat);
    messageRateSources.delete(current.readRate);
    void storage.maintenance.stop();
    // marketData.stop() closes the upstream socket synchronously before its first await.
    current.stopped = current.marketData
      .stop()
      .catch((error: unknown) => logger.error({ err: error }, "market data stop failed"));
    previousStop = current.stopped;
    logger.warn({ replicaId: bus.replicaId }, "not leading: upstream closed");
    return current.stopped;
  };

  const off = leadership.onChange((leading) => (leading ? begin() : void end()));
  return {
    current: () => term?.marketData ?? null,
    async start() {
      await leadership.start();
      // A replica that leads from the start is serving upstream data when start() returns.
      await starting;
    },
    async stop() {
      off();
      await end();
      await leadership.stop();
    },
  };
}

/** The `status` channel's message: the router's state and provenance as clients see them. */
function statusOf(marketData: MarketData): StatusMessage {
  const snapshot = marketData.router.snapshot();
  return {
    state: snapshot.connectionState,
    activeSource: snapshot.currentDataSource,
    delayed: snapshot.currentDataSource === "yahoo",
    reason: snapshot.lastTransition?.reason ?? null,
    changedAt: Date.parse(snapshot.since),
  };
}
