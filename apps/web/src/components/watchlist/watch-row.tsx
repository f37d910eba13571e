import type { SymbolFreshness } from "@/lib/api";
import { formatAge, formatPrice } from "@/lib/format";
import type { Quote } from "./quotes";

interface Props {
  symbol: string;
  name: string;
  quote: Quote | undefined;
  reference: number | undefined;
  now: number;
  staleAfterMs: number;
  loaded: boolean;
  /** The server's judgement of this symbol (halted or unusually quiet while others trade). */
  freshness: SymbolFreshness | undefined;
  /** Outside the session the last price is the close, not a stale one. */
  marketClosed: boolean;
}

export function WatchRow(props: Props) {
  const { symbol, name, quote, reference, now, staleAfterMs, loaded, freshness, marketClosed } = props;
  const ageMs = quote === undefined ? null : now - quote.eventTimeMs;
  const flagged = freshness?.stale === true;
  const stale = !marketClosed && (flagged || (ageMs !== null && ageMs > staleAfterMs));
  const change = quote !== undefined && reference !== undefined ? quote.price - reference : null;
  const changePct = change !== null && reference ? (change / reference) * 100 : null;
  const direction = change === null || change === 0 ? "" : change > 0 ? "up" : "down";
  return (
    <tr
      className={stale ? "stale" : ""}
      data-testid={`watch-row-${symbol}`}
      data-stale={stale}
      data-delayed={quote?.delayed ?? false}
      data-source={quote?.source ?? ""}
    >
      <td>
        <strong>{symbol}</strong> <span className="muted">{name}</span>
      </td>
      <td className="num" data-testid={`price-${symbol}`}>
        {formatPrice(quote?.price)}
      </td>
      <td className={`num ${direction}`}>
        {change === null ? "—" : `${change >= 0 ? "+" : ""}${change.toFixed(2)} (${changePct?.toFixed(2)}%)`}
      </td>
      <td>
        {quote === undefined ? (
          <span className="muted" data-testid={`no-data-${symbol}`}>
            {loaded ? "no data" : "…"}
          </span>
        ) : (
          <>
            {quote.source}
            {quote.delayed ? (
              <span className="badge badge-delayed" data-testid="row-delayed-badge">
                DELAYED
              </span>
            ) : null}
          </>
        )}
      </td>
      <td className="muted">
        {stale && flagged ? (
          <span
            className="badge badge-stale"
            data-testid={`row-stale-badge-${symbol}`}
            title={freshness.staleDetail ?? ""}
          >
            STALE
          </span>
        ) : null}
        {stale && ageMs !== null ? (
          <span data-testid={`stale-note-${symbol}`}>last tick {formatAge(ageMs)} ago</span>
        ) : null}
      </td>
    </tr>
  );
}
