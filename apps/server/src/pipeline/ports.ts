import type { MinuteSoFar, RejectedTick, Trade } from "@torghut/contracts";
import type { BusPublisher } from "../bus";

/** The batch writer (store/TickWriter): accepted and suspicious trades, never blocks. */
export interface TickSink {
  enqueue(trade: Trade): void;
}

/**
 * The 1-minute bar aggregator: only trades that may move a bar (not suspicious). Answers the
 * trade's bar as it now stands (null when it built none), which the published trade carries.
 */
export interface TradeAggregator {
  onTrade(trade: Trade): MinuteSoFar | null;
}

/** Per-symbol freshness (freshness/SymbolFreshnessTracker): hears every accepted trade. */
export interface FreshnessSink {
  trade(trade: Trade): void;
}

/** Where rejected ticks go for audit (a rejections table, if the store has one). */
export interface RejectionSink {
  record(rejection: RejectedTick): void;
}

/**
 * What clients see leaves here: accepted trades and quotes, published straight onto the bus (no
 * relay in between). Never blocks, never throws into the pipeline (the buses catch their own).
 */
export type MarketPublisher = Pick<BusPublisher, "publish">;
