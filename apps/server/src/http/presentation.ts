import type { MarketStatus, PricePresentation, SymbolFreshness } from "@torghut/contracts";
import type { RouterSnapshot } from "../router";

/**
 * How the prices on screen must be presented, all things considered. A closed market outranks the
 * rest: its last prices are the session's, not stale ones. Never `live` unless the primary feeds
 * fresh data.
 */
export function pricePresentation(
  router: RouterSnapshot | null,
  market: MarketStatus | null,
): PricePresentation {
  if (market !== null && !market.open) return "market-closed";
  if (router === null || router.connectionState === "BOTH_UNAVAILABLE" || router.pricesStale) return "stale";
  return router.connectionState === "FALLBACK_ACTIVE" ? "delayed" : "live";
}

/** The newest trade time across the watchlist ("market closed — last price at 16:00:00 ET"). */
export function lastPriceAt(symbols: readonly SymbolFreshness[]): string | null {
  let newest: string | null = null;
  for (const s of symbols)
    if (s.lastTradeAt !== null && (newest === null || s.lastTradeAt > newest)) newest = s.lastTradeAt;
  return newest;
}
