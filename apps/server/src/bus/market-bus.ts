import type { BusDelivery, BusMessage } from "./messages";

export type BusHandler = (delivery: BusDelivery) => void;

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
 * The port between ingest (the leader's pipeline) and the realtime hubs. Broadcast, not work
 * sharing: every subscriber of every replica receives every message (seed 003 split a broadcast by
 * balancing a consumer group; a bus here never uses queue groups). Publishing never blocks.
 */
export interface MarketBus {
  readonly kind: BusHealth["kind"];
  /** This replica's id, stamped on everything it publishes. */
  readonly replicaId: string;
  connect(): Promise<void>;
  publish(message: BusMessage): void;
  subscribe(handler: BusHandler): () => void;
  health(): BusHealth;
  close(): Promise<void>;
}

export class BusConnectError extends Error {
  override readonly name = "BusConnectError";
  readonly retryable = true;
}
