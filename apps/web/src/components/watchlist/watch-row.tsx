import { type RowFreshness } from "@torghut/contracts";
import { memo } from "react";
import {
  formatAge,
  formatFreshness,
  formatPrice,
  formatShares,
  formatSigned,
  formatVolume,
} from "@/lib/format";
import { Sparkline } from "./sparkline";
import { changeOf, spreadOf, type RowState } from "./watch-store";

interface Props {
  row: RowState;
  name: string;
  now: number;
  staleAfterMs: number;
  loaded: boolean;
  /** The server's judgement of this symbol (halted or unusually quiet while others trade). */
  freshness: RowFreshness | undefined;
  /** Outside the session the last price is the close, not a stale one. */
  marketClosed: boolean;
  selected: boolean;
  onOpen: (symbol: string) => void;
  onRemove: (symbol: string) => void;
}

const ORIGIN: Record<string, string> = {
  alpaca: "Alpaca's previous daily bar",
  yahoo: "Yahoo's previous close",
  stored: "the last stored bar before today",
};

export const WatchRow = memo(function WatchRow(props: Props) {
  const { row, name, now, staleAfterMs, loaded, freshness, marketClosed, selected } = props;
  const { symbol } = row;
  const ageMs = row.eventTimeMs === null ? null : now - row.eventTimeMs;
  const flagged = freshness?.stale === true;
  const stale = !marketClosed && (flagged || (ageMs !== null && ageMs > staleAfterMs));
  const change = changeOf(row);
  const direction = change === null || change.change === 0 ? "" : change.change > 0 ? "up" : "down";
  const spread = spreadOf(row);
  const changeTitle =
    row.previousClose === null
      ? "previous close not known"
      : `vs previous close ${formatPrice(row.previousClose)} (${ORIGIN[row.previousCloseOrigin ?? ""] ?? "?"})`;
  return (
    <tr
      id={`watch-row-${symbol}`}
      className={`${stale ? "stale" : ""} ${selected ? "selected" : ""}`}
      data-testid={`watch-row-${symbol}`}
      data-stale={stale}
      data-delayed={row.delayed}
      data-source={row.source ?? ""}
      aria-selected={selected}
      onClick={() => props.onOpen(symbol)}
    >
      <td className="sym">
        <strong>{symbol}</strong> <span className="muted name">{name}</span>
      </td>
      <td className="num" data-testid={`price-${symbol}`}>
        {row.flash === null ? (
          formatPrice(row.price)
        ) : (
          <span key={row.flash.seq} className={`flash flash-${row.flash.direction}`}>
            {formatPrice(row.price)}
          </span>
        )}
      </td>
      <td className={`num ${direction}`} data-testid={`change-${symbol}`} title={changeTitle}>
        {change === null ? "—" : formatSigned(change.change)}
      </td>
      <td className={`num ${direction}`} data-testid={`change-pct-${symbol}`} title={changeTitle}>
        {change === null ? "—" : `${formatSigned(change.percent)}%`}
      </td>
      <td className="num" data-testid={`bid-${symbol}`}>
        {formatPrice(row.bid)}
        {row.bidSize === null ? null : <span className="muted size"> ×{row.bidSize}</span>}
      </td>
      <td className="num" data-testid={`ask-${symbol}`}>
        {formatPrice(row.ask)}
        {row.askSize === null ? null : <span className="muted size"> ×{row.askSize}</span>}
      </td>
      <td className="num" data-testid={`spread-${symbol}`}>
        {formatPrice(spread)}
      </td>
      <td className="num" data-testid={`volume-${symbol}`} title={formatShares(row.volume)}>
        {formatVolume(row.volume)}
      </td>
      <td className="num range" data-testid={`range-${symbol}`}>
        {row.low === null || row.high === null ? "—" : `${formatPrice(row.low)} – ${formatPrice(row.high)}`}
      </td>
      <td data-testid={`spark-${symbol}`}>
        <Sparkline
          points={row.sparkline}
          reference={row.previousClose}
          label={`${symbol} today, 5-minute closes`}
        />
      </td>
      <td>
        {row.price === null ? (
          <span className="muted" data-testid={`no-data-${symbol}`}>
            {loaded ? "no data" : "…"}
          </span>
        ) : (
          <>
            {row.source}
            {row.delayed ? (
              <span className="badge badge-delayed" data-testid="row-delayed-badge">
                DELAYED
              </span>
            ) : null}
          </>
        )}
      </td>
      <td className="fresh" data-testid={`fresh-${symbol}`}>
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
        ) : marketClosed ? (
          <span className="muted">closed</span>
        ) : ageMs === null ? (
          <span className="muted">—</span>
        ) : (
          <span className="muted">{formatFreshness(ageMs)}</span>
        )}
      </td>
      <td>
        <button
          type="button"
          className="icon-button"
          aria-label={`Remove ${symbol} from the watchlist`}
          onClick={(event) => {
            event.stopPropagation();
            props.onRemove(symbol);
          }}
        >
          ×
        </button>
      </td>
    </tr>
  );
});
