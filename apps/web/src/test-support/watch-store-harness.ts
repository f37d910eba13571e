import type { SessionSummary } from "@torghut/contracts";
import { WatchStore } from "@/components/watchlist/watch-store";
import { LatestRecords } from "@/lib/live/latest-records";

/**
 * The feed's side of the store (what the feed's worker runs): records as the hub sends them go into
 * LatestRecords, and `deliver` hands the store a batch, as the worker does about once a frame.
 */
export function feedFor(store: WatchStore) {
  const records = new LatestRecords();
  return {
    trade: (data: unknown) => records.offer({ channel: "lines:*", type: "tick", data }),
    quote: (data: unknown) => records.offer({ channel: "order_book:*", type: "quote", data }),
    deliver: () => store.offerLatest(records.take()),
  };
}

export function manualFrames() {
  const frames: (() => void)[] = [];
  const store = new WatchStore((flush) => frames.push(flush));
  const wire = feedFor(store);
  const runFrame = () => {
    wire.deliver();
    frames.splice(0).forEach((f) => f());
  };
  return { store, wire, frames, runFrame };
}

/** A summary's last trade. */
export const last = (price: number, eventTime: string) => ({
  price,
  size: 5,
  eventTime,
  source: "alpaca" as const,
  delayed: false,
});

export const summary = (over: Partial<SessionSummary> = {}): SessionSummary => ({
  symbol: "AAPL",
  last: null,
  session: "2026-12-02",
  previousClose: 200,
  previousCloseOrigin: "alpaca",
  open: 201,
  high: 205,
  low: 199,
  volume: 12_000,
  lastMinute: null,
  sparkline: [201, 203],
  source: "alpaca",
  delayed: false,
  ...over,
});
