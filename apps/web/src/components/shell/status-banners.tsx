import { type StocksHealthResponse } from "@torghut/contracts";
import { formatEasternTime } from "@/lib/format";

/** Source-state banners shared by the watchlist and the visuals page. */
export function StatusBanners({
  health,
  error,
}: {
  health: StocksHealthResponse | undefined;
  error: Error | undefined;
}) {
  return (
    <>
      {error !== undefined ? (
        <div className="banner banner-error" role="alert" data-testid="health-error">
          Health endpoint unavailable: {error.message}
        </div>
      ) : null}
      {health?.presentation === "market-closed" ? (
        <div className="banner banner-info" data-testid="market-closed-banner">
          Market closed — last price at {formatEasternTime(health.lastPriceAt)}
        </div>
      ) : null}
      {health?.connectionState === "BOTH_UNAVAILABLE" && health.presentation !== "market-closed" ? (
        <div className="banner banner-error" role="alert" data-testid="both-unavailable-banner">
          No market data source is available (Alpaca and Yahoo are both down). Prices shown are the last known
          and are not moving.
        </div>
      ) : null}
      {health?.connectionState === "FALLBACK_ACTIVE" ? (
        <div className="banner banner-warn" data-testid="fallback-banner">
          Alpaca is unavailable: prices come from Yahoo Finance and are DELAYED.
        </div>
      ) : null}
      {health?.simulatedMarket ? (
        <div className="banner banner-info" data-testid="simulated-notice">
          Simulated market: prices come from the built-in simulator, not from a real exchange.
        </div>
      ) : null}
    </>
  );
}

export function SourceBadge({ health }: { health: StocksHealthResponse | undefined }) {
  if (health === undefined) return null;
  return (
    <span
      className="source"
      data-testid="source-state"
      data-state={health.connectionState}
      data-presentation={health.presentation ?? ""}
    >
      {health.currentDataSource} · {health.connectionState}
      {health.delayed ? (
        <span className="badge badge-delayed" data-testid="delayed-badge">
          DELAYED
        </span>
      ) : null}
      {health.presentation === "market-closed" ? (
        <span className="badge badge-closed" data-testid="market-closed-badge">
          MARKET CLOSED
        </span>
      ) : null}
    </span>
  );
}
