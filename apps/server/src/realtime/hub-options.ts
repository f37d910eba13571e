import type { Clock } from "../clock";
import type { Logger } from "../logger";
import type { FanoutTrace } from "./fanout-trace";

// The hub's settings and its health view; the hub itself is hub.ts.

export interface HubOptions {
  clock?: Clock;
  logger?: Logger;
  /** WS_CLIENT_BUFFER: queued messages per client (default 256). */
  clientBuffer?: number;
  /** Queued bytes per client (default 1 MiB, as centrifuge). */
  clientBufferBytes?: number;
  /** Unflushed bytes a transport may hold before frames wait in the hub queue (default 64 KiB). */
  transportHighWaterBytes?: number;
  maxConflationsBehind?: number;
  maxBehindMs?: number;
  /** Per channel (and message type); 0 turns the throttle off. Default 20 (seed 004). */
  updatesPerSecond?: number;
  /** Publications kept per channel for recovery (default 128). */
  historySize?: number;
  maxSubscriptionsPerClient?: number;
  /** Clients written per event-loop turn before the flush yields (default 2,000). */
  fanoutSliceSize?: number;
  /**
   * Write a lone publication straight to subscribers with nothing queued (default true). False sends
   * every publication through the queues and the end-of-turn flush: the fan-out bench's `hub-queued`.
   */
  directWrites?: boolean;
  /**
   * The symbols this deployment serves (SYMBOLS). A channel for any other symbol is unknown: nothing
   * will ever be published there, and remembering every name a client tries would grow without bound.
   * Unset (tests, benchmarks): any well-formed symbol, with at most MAX_REMEMBERED_CHANNELS remembered.
   */
  servedSymbols?: Iterable<string>;
  /** Observer called when a publication has reached its last subscriber (benchmarks, tracing). */
  onFanoutComplete?: (durationMs: number, recipients: number) => void;
  /** Observer given each publication's per-stage timings once it has reached its last subscriber. */
  onFanoutTrace?: (trace: FanoutTrace) => void;
}

export interface HubStats {
  ActiveHubs: number;
  TotalConnections: number;
  connectionsByTransport: Record<string, number>;
  channels: number;
  subscriptions: number;
  published: number;
  throttled: number;
  deliveries: number;
  conflatedMessages: number;
  slowClientsClosed: number;
  queuedMessages: number;
  pendingFanouts: number;
  epoch: string;
  shuttingDown: boolean;
}

export class HubClosedError extends Error {
  override readonly name = "HubClosedError";
  readonly retryable = true;
}
