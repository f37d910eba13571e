import { pino } from "pino";
import type { Clock } from "../clock";
import { systemClock } from "../clock";
import type { Logger } from "../logger";
import type { BusHandler, BusHealth, BusPayloadHandler, MarketBus } from "./market-bus";
import type { BusMessage, BusMessageType } from "./messages";
import { busConnected, busDropped, busPublished, busReceived } from "./metrics";
import { BusSubscribers, payloadOf } from "./subscribers";

export interface InProcessBusOptions {
  replicaId: string;
  clock?: Clock;
  logger?: Logger;
}

/**
 * The default bus of a single process: objects are handed to subscribers synchronously, nothing is
 * encoded. Same port as NATS, so ROLE=all runs the same publish → subscribe path either way.
 */
export class InProcessBus implements MarketBus {
  readonly kind = "in-process" as const;
  readonly replicaId: string;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly subscribers = new BusSubscribers();
  private readonly counters = { published: 0, received: 0, dropped: 0 };
  private lastReceivedAt: number | null = null;
  private lastError: string | null = null;
  private closed = false;

  constructor(options: InProcessBusOptions) {
    this.replicaId = options.replicaId;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? pino({ enabled: false });
  }

  connect(): Promise<void> {
    busConnected.set({ kind: this.kind }, 1);
    return Promise.resolve();
  }

  publish(message: BusMessage): void {
    if (this.closed) return;
    const sentAt = this.clock.now();
    this.counters.published += 1;
    busPublished.inc({ type: message.type });
    const { all } = this.subscribers;
    const typed = this.subscribers.of(message.type);
    const receivers = all.size + typed.size;
    if (receivers === 0) return;
    // Counted once per message (one metric call, however many subscribers), as delivered below.
    this.counters.received += receivers;
    this.lastReceivedAt = sentAt;
    busReceived.inc({ type: message.type }, receivers);
    if (all.size > 0) {
      const delivery = { message, from: this.replicaId, sentAt };
      for (const handler of all) this.deliver(message.type, handler, delivery);
    }
    if (typed.size === 0) return;
    // Typed subscribers (the hub) are called from here with the payload: no relay in between.
    const payload = payloadOf(message);
    for (const handler of typed) this.deliver(message.type, handler, payload);
  }

  subscribe(handler: BusHandler): () => void {
    return this.subscribers.add(handler);
  }

  on<K extends BusMessageType>(type: K, handler: BusPayloadHandler<K>): () => void {
    return this.subscribers.on(type, handler);
  }

  private deliver<T>(type: BusMessageType, handler: (arg: T) => void, arg: T): void {
    try {
      handler(arg);
    } catch (error) {
      // One failing subscriber must not starve the others (or throw into the publisher's pipeline).
      this.counters.dropped += 1;
      this.lastError = error instanceof Error ? error.message : String(error);
      busDropped.inc({ reason: "handler" });
      this.logger.error({ err: error, type }, "market bus handler failed");
    }
  }

  health(): BusHealth {
    return {
      kind: this.kind,
      connected: !this.closed,
      ...this.counters,
      reconnects: 0,
      lastReceivedAt: this.lastReceivedAt,
      lastError: this.lastError,
    };
  }

  close(): Promise<void> {
    this.closed = true;
    this.subscribers.clear();
    busConnected.set({ kind: this.kind }, 0);
    return Promise.resolve();
  }
}
