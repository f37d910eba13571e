import type { BusPublisher } from "../bus";
import type { Clock } from "../clock";
import { createStorage, type Storage } from "../compose/storage";
import type { ServerConfig } from "../config";
import { createLeadership, type Leadership } from "../leader";
import type { Logger } from "../logger";
import { createIngest, type Ingest } from "./ingest";
import { inlineIngestSide } from "./inline-side";
import type { IngestSide } from "./side";

export interface IngestParts {
  replicaId: string;
  /**
   * Where the leader publishes. A function when the bus needs the ingest side itself (the thread's
   * bus sends a health snapshot with each status change); it is called once, before ingest starts.
   */
  bus: BusPublisher | ((built: { leadership: Leadership; side: () => IngestSide }) => BusPublisher);
  /** The leader as heard on the bus, named when an ops call reaches a standby. */
  knownLeader: () => string | null;
  logger: Logger;
  clock: Clock;
}

export interface BuiltIngest {
  storage: Storage;
  leadership: Leadership;
  ingest: Ingest;
  bus: BusPublisher;
  /** The ingest port as seen from this event loop. */
  side: IngestSide;
}

/**
 * The ingest half, built once for both placements: inline on the HTTP event loop (app.ts) and on
 * its own thread (ingest-thread/worker.ts). Storage, leadership and the per-term sources → router
 * → validation → store chain; nothing of the realtime half.
 */
export async function buildIngest(config: ServerConfig, parts: IngestParts): Promise<BuiltIngest> {
  const { logger, clock } = parts;
  const storage = await createStorage(config, logger, clock);
  const leadership = createLeadership(config, parts.replicaId, logger, clock);
  let side: IngestSide | null = null;
  const sideOf = (): IngestSide => {
    if (side === null) throw new Error("the ingest side is read before buildIngest() returned");
    return side;
  };
  const bus = typeof parts.bus === "function" ? parts.bus({ leadership, side: sideOf }) : parts.bus;
  const ingest = createIngest(config, storage, bus, leadership, logger, clock);
  // ROLE=realtime stores nothing, so its writer's figures would only mislead.
  side = inlineIngestSide(ingest, config.ROLE === "realtime" ? null : storage.writer, parts.knownLeader);
  return { storage, leadership, ingest, bus, side };
}
