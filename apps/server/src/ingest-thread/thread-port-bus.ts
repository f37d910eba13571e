import type { BusHealth, BusMessage, BusPublisher } from "../bus";
import type { Clock, TimerHandle } from "../clock";
import type { FromIngestThread, IngestSnapshot } from "./protocol";

export interface ThreadPortBusOptions {
  port: { postMessage(message: FromIngestThread): void };
  replicaId: string;
  clock: Clock;
  /** Taken when a batch carries a router status change, so health answers move with the status. */
  snapshot: () => IngestSnapshot;
  /** At most one batch per interval under load; an idle bus sends at once. Default 10 ms. */
  flushIntervalMs?: number;
}

/**
 * The ingest thread's end of the market bus: what the leader publishes crosses to the HTTP thread
 * in batches. Within a batch only the newest trade and quote per symbol are kept: the hub sends
 * clients the newest value per channel anyway (latest-value throttle), the newest trade carries its
 * minute so far (range and volume of the trades dropped here), and every tick has already
 * reached the validator and the writer on this thread. So the HTTP thread handles at most two
 * records per symbol per batch however fast ticks arrive; bars, indicators and status cross whole
 * and in order.
 */
export class ThreadPortBus implements BusPublisher {
  readonly replicaId: string;
  private readonly flushIntervalMs: number;
  private ordered: BusMessage[] = [];
  /** By symbol: the hot path looks up the symbol string it already has, without building a key. */
  private latestTrades = new Map<string, BusMessage>();
  private latestQuotes = new Map<string, BusMessage>();
  private conflatedInBatch = 0;
  private statusInBatch = false;
  private timer: TimerHandle | null = null;
  private lastFlushAt = Number.NEGATIVE_INFINITY;
  private readonly counters = { published: 0, conflated: 0 };
  private closed = false;

  constructor(private readonly options: ThreadPortBusOptions) {
    this.replicaId = options.replicaId;
    this.flushIntervalMs = options.flushIntervalMs ?? 10;
  }

  connect(): Promise<void> {
    return Promise.resolve();
  }

  publish(message: BusMessage): void {
    if (this.closed) return;
    this.counters.published += 1;
    if (message.type === "trade") this.keepNewest(this.latestTrades, message.trade.symbol, message);
    else if (message.type === "quote") this.keepNewest(this.latestQuotes, message.quote.symbol, message);
    else {
      this.ordered.push(message);
      if (message.type === "status" || message.type === "leader") this.statusInBatch = true;
    }
    this.schedule();
  }

  /** Trades and quotes replaced by a newer one before crossing, since start. */
  get conflated(): number {
    return this.counters.conflated + this.conflatedInBatch;
  }

  health(): Pick<BusHealth, "connected" | "published"> {
    return { connected: !this.closed, published: this.counters.published };
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.flush();
      this.closed = true;
    }
    return Promise.resolve();
  }

  private keepNewest(latest: Map<string, BusMessage>, symbol: string, message: BusMessage): void {
    if (latest.has(symbol)) this.conflatedInBatch += 1;
    latest.set(symbol, message);
  }

  private schedule(): void {
    if (this.timer !== null) return;
    const wait = Math.max(0, this.lastFlushAt + this.flushIntervalMs - this.options.clock.now());
    this.timer = this.options.clock.setTimeout(() => this.flush(), wait);
  }

  private flush(): void {
    if (this.timer !== null) this.options.clock.clearTimeout(this.timer);
    this.timer = null;
    if (this.ordered.length === 0 && this.latestTrades.size === 0 && this.latestQuotes.size === 0) return;
    this.lastFlushAt = this.options.clock.now();
    const messages = this.ordered;
    for (const message of this.latestTrades.values()) messages.push(message);
    for (const message of this.latestQuotes.values()) messages.push(message);
    const conflated = this.conflatedInBatch;
    const snapshot = this.statusInBatch ? this.options.snapshot() : null;
    this.ordered = [];
    this.latestTrades = new Map();
    this.latestQuotes = new Map();
    this.conflatedInBatch = 0;
    this.statusInBatch = false;
    this.counters.conflated += conflated;
    this.options.port.postMessage({ type: "bus", messages, conflated, snapshot });
  }
}
