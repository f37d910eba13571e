import type { Trade } from "@torghut/contracts";
import { type Clock, systemClock } from "../clock";
import type { MarketDataSource, SourceEvent } from "../sources/source";
import type { TradeValidator } from "../validation/trade-validator";
import { MessageRate } from "./message-rate";
import type { FreshnessSink, MarketPublisher, RejectionSink, TickSink, TradeAggregator } from "./ports";

export interface IngestPipelineOptions {
  validator: TradeValidator;
  writer: TickSink;
  aggregator?: TradeAggregator;
  freshness?: FreshnessSink;
  /** The bus: accepted trades and quotes are published onto it from here, in the same call. */
  bus?: MarketPublisher;
  rejections?: RejectionSink;
  clock?: Clock;
  /** Seconds averaged by `stats().messagesPerSecond` (default 5). */
  rateWindowSeconds?: number;
}

export interface IngestStats {
  messagesPerSecond: number;
  messages: number;
  trades: number;
  accepted: number;
  suspicious: number;
  rejected: number;
  quotes: number;
  bars: number;
}

/**
 * source events → validation → writer (accepted + suspicious) and bar aggregator + live price +
 * freshness + the bus (accepted only; rejected ticks go to the rejection sink). Synchronous, one
 * allocation per accepted trade (its bus message): the writer batches, the hub queues, nothing here
 * awaits. Publishing here, not through a listener relay, keeps the trade's path one hop shorter.
 */
export class IngestPipeline {
  private readonly clock: Clock;
  private readonly rate: MessageRate;
  /** Last accepted (non-suspicious) trade per symbol: the live price with its time and provenance. */
  private readonly latest = new Map<string, Trade>();
  private readonly counts = { trades: 0, accepted: 0, suspicious: 0, rejected: 0, quotes: 0, bars: 0 };

  constructor(private readonly options: IngestPipelineOptions) {
    this.clock = options.clock ?? systemClock;
    this.rate = new MessageRate(options.rateWindowSeconds ?? 5, this.clock.now());
  }

  /** A SourceListener: pass it to `source.onEvent` (or let the router call it for the active source). */
  readonly handle = (event: SourceEvent): void => {
    switch (event.type) {
      case "trade":
        this.rate.add(this.clock.now());
        this.onTrade(event.trade);
        return;
      case "quote":
        this.rate.add(this.clock.now());
        this.counts.quotes += 1;
        this.options.bus?.publish({ type: "quote", quote: event.quote });
        return;
      case "bar":
        // Upstream minute bars are counted, not re-sent: the stored aggregate is what clients chart.
        this.counts.bars += 1;
        return;
      // A source's up / failure / notice is the router's and freshness's business, not clients'.
    }
  };

  /** Wires a source straight in (no router in front); returns the detach function. */
  attach(source: MarketDataSource): () => void {
    return source.onEvent(this.handle);
  }

  /** Last accepted (non-suspicious) price per symbol. */
  lastPrice(symbol: string): number | undefined {
    return this.latest.get(symbol)?.price;
  }

  stats(): IngestStats {
    return {
      messagesPerSecond: this.rate.perSecond(this.clock.now()),
      messages: this.rate.count,
      ...this.counts,
    };
  }

  private onTrade(trade: Trade): void {
    this.counts.trades += 1;
    const outcome = this.options.validator.validate(trade);
    if (outcome.status === "rejected") {
      this.counts.rejected += 1;
      this.options.rejections?.record(outcome.rejection);
      return;
    }
    this.options.writer.enqueue(outcome.trade);
    if (outcome.status === "suspicious") {
      // Stored for audit only: publishing it would show the spike as the live price.
      this.counts.suspicious += 1;
      return;
    }
    this.counts.accepted += 1;
    this.latest.set(trade.symbol, trade);
    const minuteBar = this.options.aggregator?.onTrade(trade) ?? null;
    this.options.freshness?.trade(trade);
    // The minute so far rides with the trade: whichever of its minute's trades a client ends up
    // with (each hop keeps only the newest), it brings the minute's range and volume whole.
    this.options.bus?.publish({ type: "trade", trade: minuteBar === null ? trade : { ...trade, minuteBar } });
  }
}

export type { FreshnessSink, MarketPublisher, TickSink, TradeAggregator, RejectionSink };
