"use client";
import { useCallback, useEffect, useMemo, useState } from "react";
import { useRouter } from "next/navigation";
import {
  sessionSummariesResponseSchema,
  stocksHealthResponseSchema,
  symbolListResponseSchema,
  type RowFreshness,
} from "@torghut/contracts";
import type { PublicSettings } from "@/config";
import { getJson, sessionUrl } from "@/lib/api";
import { useFeedState, useLatest } from "@/lib/live/use-market-feed";
import { usePoll } from "@/lib/use-poll";
import { LivePill } from "../shell/live-pill";
import { SourceBadge, StatusBanners } from "../shell/status-banners";
import { SymbolSearch } from "./symbol-search";
import { useMySymbols, type ListHome } from "./use-my-symbols";
import { ROW_REFRESH_MS, WatchStore } from "./watch-store";
import { WatchTable } from "./watch-table";

/**
 * `/`: the trader's symbols with last, change against the previous close, the book's top, the
 * day's volume and range, a sparkline, source and freshness. REST (one request for every row) is
 * the source of truth on load and the fallback; the live feed updates rows once per frame.
 */
const LIST_HOME_TEXT: Record<ListHome, string> = {
  browser: "List kept in this browser",
  loading: "Loading your saved list…",
  account: "List saved to your account",
  "account-error": "Your saved list is out of reach: changes are kept in this browser",
};

export function Watchlist({
  settings,
  savedOnServer,
}: {
  settings: PublicSettings;
  /** Signed in as a real user (not the development operator): the list is kept under their account. */
  savedOnServer: boolean;
}) {
  const router = useRouter();
  const feed = useFeedState();
  const live = feed.state === "live";
  const known = usePoll(() => getJson("/api/symbols", symbolListResponseSchema), 60_000, []);
  const tracked = useMemo(() => known.data?.symbols ?? [], [known.data]);
  const defaults = useMemo(() => tracked.map((s) => s.symbol), [tracked]);
  const names = useMemo(() => new Map(tracked.map((s) => [s.symbol, s.name])), [tracked]);
  const mine = useMySymbols(defaults, savedOnServer);
  const symbols = mine.symbols;
  const symbolKey = symbols.join(",");
  const health = usePoll(() => getJson("/api/health/stocks", stocksHealthResponseSchema), 2_000, []);
  const [store] = useState(() => new WatchStore());
  // `npm run bench -- ui` reads the store's counters (messages in, frames applied).
  useEffect(() => {
    (globalThis as { __torghutWatchStore?: WatchStore }).__torghutWatchStore = store;
  }, [store]);

  const session = usePoll(
    symbolKey === ""
      ? null
      : async () => {
          const body = await getJson(sessionUrl(symbolKey.split(",")), sessionSummariesResponseSchema);
          store.applySummaries(body.summaries);
          return body.summaries.length;
        },
    live ? 10_000 : 2_000,
    [symbolKey],
  );

  // Trades and quotes, coalesced per symbol and validated in the feed's worker, into the store.
  useLatest(symbolKey === "" ? [] : ["lines:*", "order_book:*"], ROW_REFRESH_MS, (batch) =>
    store.offerLatest(batch),
  );

  const openChart = useCallback(
    (symbol: string) => {
      if (settings.visualsEnabled) router.push(`/torghut/visuals?symbol=${encodeURIComponent(symbol)}`);
    },
    [router, settings.visualsEnabled],
  );
  const remove = mine.remove;
  const healthData = health.data;
  const freshness = useMemo(
    () => new Map<string, RowFreshness>((healthData?.symbols ?? []).map((f) => [f.symbol, f])),
    [healthData],
  );
  return (
    <>
      <div className="toolbar">
        <h1>Watchlist</h1>
        <SourceBadge health={healthData} />
        <LivePill />
        <SymbolSearch known={tracked} mine={symbols} onAdd={mine.add} onReset={mine.reset} />
        <span className="muted list-home" data-testid="watchlist-home" data-home={mine.home}>
          {LIST_HOME_TEXT[mine.home]}
        </span>
      </div>
      <StatusBanners health={healthData} error={health.error} />
      {known.error !== undefined ? (
        <div className="banner banner-error" role="alert" data-testid="error-banner">
          Could not load the symbol list: {known.error.message}
        </div>
      ) : null}
      {session.error !== undefined ? (
        <div className="banner banner-error" role="alert" data-testid="error-banner">
          Could not refresh prices: {session.error.message}
        </div>
      ) : null}
      {known.data !== undefined && symbols.length === 0 ? (
        <div className="empty-state" data-testid="watch-empty">
          <p>Your watchlist is empty.</p>
          <p className="muted">Add a symbol above, or reset the list to every symbol Torghut tracks.</p>
        </div>
      ) : known.data === undefined && known.error === undefined ? (
        <div className="empty-state" data-testid="watch-loading" aria-busy="true">
          Loading symbols…
        </div>
      ) : (
        <WatchTable
          store={store}
          symbols={symbols}
          names={names}
          staleAfterMs={settings.staleAfterMs}
          loaded={session.samples > 0}
          freshness={freshness}
          marketClosed={healthData?.presentation === "market-closed"}
          onOpen={openChart}
          onRemove={remove}
        />
      )}
    </>
  );
}
