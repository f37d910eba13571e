import type { BusMessage, BusMessageType } from "./messages";
import type { BusHandler, BusPayloadHandler } from "./subscribers";

export type { BusHandler, BusPayloadHandler, BusPayloads } from "./subscribers";

export interface BusHealth {
  kind: "in-process" | "nats";
  connected: boolean;
  published: number;
  received: number;
  /** Messages that could not be decoded or whose handler threw. */
  dropped: number;
  reconnects: number;
  lastReceivedAt: number | null;
  lastError: string | null;
}

/**
 * The side ingest needs: publish what clients see. The ingest thread's bus is only this (its
 * subscribers live on the HTTP thread), so it does not pretend to subscribe.
 */
export interface BusPublisher {
  /** This replica's id, stamped on everything it publishes. */
  readonly replicaId: string;
  connect(): Promise<void>;
  /** Never blocks. */
  publish(message: BusMessage): void;
  close(): Promise<void>;
}

/** The side the realtime hubs and the bus observer need: hear every message. */
export interface BusSubscriber {
  /** Every message, with who sent it and when. */
  subscribe(handler: BusHandler): () => void;
  /**
   * One type's payload, handed over by the bus itself (a trade, a quote, …): a hub method can be
   * the subscriber, with no relay function between the bus and the hub.
   */
  on<K extends BusMessageType>(type: K, handler: BusPayloadHandler<K>): () => void;
}

/**
 * The port between ingest (the leader's pipeline) and the realtime hubs. Broadcast, not work
 * sharing: every subscriber of every replica receives every message (seed 003 split a broadcast by
 * balancing a consumer group; a bus here never uses queue groups). Publishing never blocks.
 */
export interface MarketBus extends BusPublisher, BusSubscriber {
  readonly kind: BusHealth["kind"];
  health(): BusHealth;
}

export class BusConnectError extends Error {
  override readonly name = "BusConnectError";
  readonly retryable = true;
}
