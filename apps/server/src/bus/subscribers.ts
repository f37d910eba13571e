import type { Bar1m, Quote, StatusMessage, Trade } from "@torghut/contracts";
import type { BusDelivery, BusMessage, BusMessageType } from "./messages";

export type BusHandler = (delivery: BusDelivery) => void;

/** Each message type's payload, as a typed subscriber receives it. */
export interface BusPayloads {
  trade: Trade;
  quote: Quote;
  bar: Bar1m;
  status: StatusMessage;
  leader: Extract<BusMessage, { type: "leader" }>;
}

export type BusPayloadHandler<K extends BusMessageType> = (payload: BusPayloads[K]) => void;
type AnyPayloadHandler = (payload: BusPayloads[BusMessageType]) => void;

const NONE: ReadonlySet<AnyPayloadHandler> = new Set();

/**
 * A bus's subscribers: whole-delivery handlers (who sent it, and when), and per-type handlers that
 * the bus calls with the payload itself, so that the hub's `publishTrade` is the bus's subscriber,
 * with no relay between them. Each bus runs its own delivery loop, over `all` and `of(type)`.
 */
export class BusSubscribers {
  readonly all = new Set<BusHandler>();
  private readonly byType = new Map<BusMessageType, Set<AnyPayloadHandler>>();

  add(handler: BusHandler): () => void {
    this.all.add(handler);
    return () => void this.all.delete(handler);
  }

  on<K extends BusMessageType>(type: K, handler: BusPayloadHandler<K>): () => void {
    let handlers = this.byType.get(type);
    if (handlers === undefined) {
      handlers = new Set();
      this.byType.set(type, handlers);
    }
    const added = handler as AnyPayloadHandler;
    handlers.add(added);
    return () => void handlers.delete(added);
  }

  /** The payload handlers of one message type (empty when none). */
  of(type: BusMessageType): ReadonlySet<AnyPayloadHandler> {
    return this.byType.get(type) ?? NONE;
  }

  clear(): void {
    this.all.clear();
    this.byType.clear();
  }
}

/** What a typed subscriber of `message.type` receives. */
export function payloadOf(message: BusMessage): BusPayloads[BusMessageType] {
  switch (message.type) {
    case "trade":
      return message.trade;
    case "quote":
      return message.quote;
    case "bar":
      return message.bar;
    case "status":
      return message.status;
    case "leader":
      return message;
  }
}
