import type { LatestPrice } from "@/lib/api";
import type { LiveTrade } from "@/lib/live/messages";

/** What the watchlist knows about one symbol's price and where it came from. */
export interface Quote {
  price: number;
  eventTimeMs: number;
  source: string;
  delayed: boolean;
}

export function quoteFromLatest(latest: LatestPrice): Quote | null {
  if (latest.price === null || latest.eventTime === null) return null;
  return {
    price: latest.price,
    eventTimeMs: Date.parse(latest.eventTime),
    source: latest.source ?? "unknown",
    delayed: latest.delayed ?? false,
  };
}

export function quoteFromTrade(trade: LiveTrade): Quote {
  return {
    price: trade.price,
    eventTimeMs: Date.parse(trade.eventTime),
    source: trade.source,
    delayed: trade.delayed,
  };
}

/**
 * Polling and the live feed both deliver prices and can arrive out of order: the newer event wins,
 * so a slow REST answer never replaces a fresher live tick.
 */
export function newer(current: Quote | undefined, next: Quote | null): Quote | undefined {
  if (next === null || Number.isNaN(next.eventTimeMs)) return current;
  if (current === undefined || next.eventTimeMs >= current.eventTimeMs) return next;
  return current;
}
