import type { Bar1m, Quote, RejectedTick, Trade } from "@torghut/contracts";
import type { SourceEvent } from "../sources/source";

/** The batch writer (store/TickWriter): accepted and suspicious trades, never blocks. */
export interface TickSink {
  enqueue(trade: Trade): void;
}

/** The 1-minute bar aggregator: only trades that may move a bar (not suspicious). */
export interface TradeAggregator {
  onTrade(trade: Trade): void;
}

/** Where rejected ticks go for audit (a rejections table, if the store has one). */
export interface RejectionSink {
  record(rejection: RejectedTick): void;
}

/** What the real-time hub broadcasts. `status` carries the source's up/failure/notice events. */
export type PublishEvent =
  | { type: "trade"; trade: Trade }
  | { type: "quote"; quote: Quote }
  | { type: "bar"; bar: Bar1m }
  | { type: "status"; event: Extract<SourceEvent, { type: "up" | "failure" | "notice" }> };

export type PublishListener = (event: PublishEvent) => void;
