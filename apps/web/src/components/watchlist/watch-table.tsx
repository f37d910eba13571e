"use client";
import { type RowFreshness } from "@torghut/contracts";
import { memo, useEffect, useMemo, useRef, useState, useSyncExternalStore, type KeyboardEvent } from "react";
import { useNow } from "@/lib/use-poll";
import { changeOf, spreadOf, type RowState, type WatchStore } from "./watch-store";
import { WatchRow } from "./watch-row";

/** Fixed row height: the virtual window is arithmetic, no measuring. Matches `.watch-table tr`. */
export const ROW_HEIGHT = 36;
/**
 * Rows rendered beyond the view on each side. Every rendered row re-renders on each of its symbol's
 * ticks (up to 32 a second at 500 × 20 trades/s plus quotes), so the margin is kept small: 4 rows
 * (144 px) cover a wheel step; 8 rendered 16 hidden rows, 44 % of the work, in every frame.
 */
const OVERSCAN = 4;

type SortKey = "symbol" | "price" | "change" | "percent" | "spread" | "volume" | "fresh";
const SORTERS: Record<SortKey, (r: RowState) => number | string | null> = {
  symbol: (r) => r.symbol,
  price: (r) => r.price,
  change: (r) => changeOf(r)?.change ?? null,
  percent: (r) => changeOf(r)?.percent ?? null,
  spread: (r) => spreadOf(r),
  volume: (r) => r.volume,
  fresh: (r) => (r.eventTimeMs === null ? null : -r.eventTimeMs),
};
const COLUMNS: { label: string; key?: SortKey; numeric?: boolean }[] = [
  { label: "Symbol", key: "symbol" },
  { label: "Last", key: "price", numeric: true },
  { label: "Chg", key: "change", numeric: true },
  { label: "Chg %", key: "percent", numeric: true },
  { label: "Bid", numeric: true },
  { label: "Ask", numeric: true },
  { label: "Spread", key: "spread", numeric: true },
  { label: "Volume", key: "volume", numeric: true },
  { label: "Day range", numeric: true },
  { label: "Today" },
  { label: "Source" },
  { label: "Fresh", key: "fresh" },
  { label: "" },
];

interface Props {
  store: WatchStore;
  symbols: readonly string[];
  names: ReadonlyMap<string, string>;
  staleAfterMs: number;
  loaded: boolean;
  freshness: ReadonlyMap<string, RowFreshness>;
  marketClosed: boolean;
  onOpen: (symbol: string) => void;
  onRemove: (symbol: string) => void;
}

/**
 * The rows as a table that renders only what is in view (plus a margin): 500 symbols cost the DOM
 * of ~30. Sortable headers; ↑/↓ move the selection, Enter opens the chart, Delete removes.
 */
export function WatchTable(props: Props) {
  const { store, symbols } = props;
  // The store's change counter is read here, not in the page: a frame's prices re-render the table
  // alone, not the toolbar (the search box's list of every tracked symbol), banners and header.
  const version = useSyncExternalStore(store.subscribe, store.getVersion, store.getVersion);
  // The freshness clock, here for the same reason: its tick re-renders the rows, not the page.
  const now = useNow(500);
  const [sort, setSort] = useState<Sort>(null);
  const [selected, setSelected] = useState(0);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(600);
  const box = useRef<HTMLDivElement>(null);

  const ordered = useMemo(() => {
    const rows = symbols.map((s) => store.row(s));
    if (sort === null) return rows;
    const key = SORTERS[sort.key];
    // Each row's key once (change and spread are computed), not twice per comparison.
    const keyed = rows.map((row) => ({ row, key: key(row) }));
    keyed.sort((a, b) => compare(a.key, b.key, sort.dir));
    return keyed.map((k) => k.row);
    // `version` is the store's change counter: rows are re-read when it moves.
  }, [store, version, symbols, sort]);

  useEffect(() => {
    const element = box.current;
    if (element === null) return;
    const observer = new ResizeObserver(() => setViewport(element.clientHeight));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const count = ordered.length;
  const current = Math.min(selected, Math.max(0, count - 1));
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(count, Math.ceil((scrollTop + viewport) / ROW_HEIGHT) + OVERSCAN);

  function select(index: number) {
    const next = Math.max(0, Math.min(count - 1, index));
    setSelected(next);
    const element = box.current;
    if (element === null) return;
    const top = next * ROW_HEIGHT;
    const header = ROW_HEIGHT;
    if (top < element.scrollTop) element.scrollTop = top;
    else if (top + ROW_HEIGHT + header > element.scrollTop + element.clientHeight)
      element.scrollTop = top + ROW_HEIGHT + header - element.clientHeight;
  }

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (event.target !== event.currentTarget) return;
    const row = ordered[current];
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: 10, PageUp: -10 };
    if (event.key in moves) select(current + moves[event.key]!);
    else if (event.key === "Home") select(0);
    else if (event.key === "End") select(count - 1);
    else if (event.key === "Enter" && row) props.onOpen(row.symbol);
    else if (event.key === "Delete" && row) props.onRemove(row.symbol);
    else return;
    event.preventDefault();
  }

  return (
    <div
      ref={box}
      className="watch-scroll"
      tabIndex={0}
      role="region"
      aria-label="Watchlist rows: ↑ and ↓ choose a symbol, Enter opens its chart, Delete removes it"
      data-testid="watch-scroll"
      onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}
      onKeyDown={onKeyDown}
    >
      <table data-testid="watchlist" className="watch-table" aria-rowcount={count + 1}>
        <WatchHead sort={sort} onSort={setSort} />
        <tbody>
          {first > 0 ? <tr aria-hidden="true" style={{ height: first * ROW_HEIGHT }} /> : null}
          {ordered.slice(first, last).map((row, i) => (
            <WatchRow
              key={row.symbol}
              row={row}
              name={props.names.get(row.symbol) ?? ""}
              now={now}
              staleAfterMs={props.staleAfterMs}
              loaded={props.loaded}
              freshness={props.freshness.get(row.symbol)}
              marketClosed={props.marketClosed}
              selected={first + i === current}
              onOpen={props.onOpen}
              onRemove={props.onRemove}
            />
          ))}
          {last < count ? <tr aria-hidden="true" style={{ height: (count - last) * ROW_HEIGHT }} /> : null}
        </tbody>
      </table>
      <span className="visually-hidden" aria-live="polite" data-testid="watch-selection">
        {ordered[current] ? `${ordered[current].symbol} selected` : ""}
      </span>
    </div>
  );
}

type Sort = { key: SortKey; dir: 1 | -1 } | null;

/** The sortable header: memoised, it renders again only when the sort changes, not on every frame. */
const WatchHead = memo(function WatchHead({
  sort,
  onSort,
}: {
  sort: Sort;
  onSort: (update: (current: Sort) => Sort) => void;
}) {
  return (
    <thead>
      <tr>
        {COLUMNS.map((column, i) => (
          <th
            key={i}
            className={column.numeric ? "num" : ""}
            aria-sort={
              column.key !== undefined && sort?.key === column.key
                ? sort.dir === 1
                  ? "ascending"
                  : "descending"
                : undefined
            }
          >
            {column.key === undefined ? (
              column.label === "" ? (
                <span className="visually-hidden">Remove</span>
              ) : (
                column.label
              )
            ) : (
              <button
                type="button"
                className="sort-button"
                data-testid={`sort-${column.key}`}
                onClick={() => onSort((s) => nextSort(s, column.key!))}
              >
                {column.label}
                <span aria-hidden="true">
                  {sort?.key === column.key ? (sort.dir === 1 ? " ▲" : " ▼") : ""}
                </span>
              </button>
            )}
          </th>
        ))}
      </tr>
    </thead>
  );
});

/** Each click: the natural order first (A→Z, biggest first), then the other way, then unsorted. */
function nextSort(current: Sort, key: SortKey): Sort {
  const first = key === "symbol" ? 1 : -1;
  if (current?.key !== key) return { key, dir: first };
  return current.dir === first ? { key, dir: first === 1 ? -1 : 1 } : null;
}

/** Unknown values sort last whatever the direction: a trader sorting by change wants numbers first. */
function compare(a: number | string | null, b: number | string | null, dir: 1 | -1): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  if (typeof a === "string" || typeof b === "string") return String(a).localeCompare(String(b)) * dir;
  return (a - b) * dir;
}
