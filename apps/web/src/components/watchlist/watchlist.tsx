"use client";
import { useEffect, useRef, useState } from "react";
import type { PublicSettings } from "@/config";
import {
  barsResponse,
  getJson,
  latestResponse,
  latestUrl,
  stocksHealthResponse,
  symbolsResponse,
  barsUrl,
} from "@/lib/api";
import { statusSchema, tradeSchema } from "@/lib/live/messages";
import { useChannels, useFeedState } from "@/lib/live/use-market-feed";
import { useNow, usePoll } from "@/lib/use-poll";
import { LivePill } from "../shell/live-pill";
import { SourceBadge, StatusBanners } from "../shell/status-banners";
import { newer, quoteFromLatest, quoteFromTrade, type Quote } from "./quotes";
import { WatchRow } from "./watch-row";

const DAY_MS = 86_400_000;

/** `/`: every configured symbol with its last price, change, source and staleness. */
export function Watchlist({ settings }: { settings: PublicSettings }) {
  const feed = useFeedState();
  const live = feed.state === "live";
  const now = useNow(1000);
  const symbols = usePoll(() => getJson("/api/symbols", symbolsResponse), 60_000, []);
  const list = symbols.data?.symbols ?? [];
  const symbolKey = list.map((s) => s.symbol).join(",");
  const health = usePoll(() => getJson("/api/health/stocks", stocksHealthResponse), 2_000, []);
  const [quotes, setQuotes] = useState<Record<string, Quote>>({});
  const [references, setReferences] = useState<Record<string, number>>({});
  const [liveHealth, setLiveHealth] = useState<{ delayed: boolean; state: string } | null>(null);
  const pending = useRef(new Map<string, Quote>());

  // REST is the fallback path and the source of truth on load; with the hub live it only reconciles.
  const latest = usePoll(
    symbolKey === ""
      ? null
      : () => Promise.all(symbolKey.split(",").map((s) => getJson(latestUrl(s), latestResponse))),
    live ? 10_000 : 2_000,
    [symbolKey],
  );
  useEffect(() => {
    if (latest.data === undefined) return;
    setQuotes((prev) => {
      const next = { ...prev };
      for (const item of latest.data ?? []) {
        const merged = newer(next[item.symbol], quoteFromLatest(item));
        if (merged !== undefined) next[item.symbol] = merged;
      }
      return next;
    });
  }, [latest.data]);

  // Change is against the previous session's close when stored, else today's open.
  useEffect(() => {
    if (symbolKey === "") return;
    let cancelled = false;
    void Promise.all(
      symbolKey.split(",").map(async (symbol) => {
        const { bars } = await getJson(barsUrl(symbol, "1d", Date.now() - 10 * DAY_MS), barsResponse);
        const ref = bars.length >= 2 ? bars[bars.length - 2]!.close : bars[0]?.open;
        return [symbol, ref] as const;
      }),
    ).then(
      (pairs) => {
        if (cancelled) return;
        const out: Record<string, number> = {};
        for (const [symbol, ref] of pairs) if (ref !== undefined) out[symbol] = ref;
        setReferences(out);
      },
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [symbolKey]);

  // Live ticks arrive up to 20/s per symbol: buffer them and render four times a second.
  useChannels(symbolKey === "" ? [] : ["lines:*", "status"], (publication) => {
    if (publication.type === "status") {
      const status = statusSchema.safeParse(publication.data);
      if (status.success) setLiveHealth({ delayed: status.data.delayed, state: status.data.state });
      return;
    }
    if (publication.type !== "tick") return;
    const trade = tradeSchema.safeParse(publication.data);
    if (!trade.success || trade.data.suspicious === true) return;
    pending.current.set(
      trade.data.symbol,
      newer(pending.current.get(trade.data.symbol), quoteFromTrade(trade.data))!,
    );
  });
  useEffect(() => {
    const timer = setInterval(() => {
      if (pending.current.size === 0) return;
      const batch = pending.current;
      pending.current = new Map();
      setQuotes((prev) => {
        const next = { ...prev };
        for (const [symbol, quote] of batch) next[symbol] = newer(next[symbol], quote)!;
        return next;
      });
    }, 250);
    return () => clearInterval(timer);
  }, []);

  const healthData = health.data;
  const loaded = latest.samples > 0;
  return (
    <>
      <div className="toolbar">
        <h1>Watchlist</h1>
        <SourceBadge health={healthData} />
        <LivePill />
        {liveHealth !== null && healthData === undefined ? (
          <span className="muted">{liveHealth.state}</span>
        ) : null}
      </div>
      <StatusBanners health={healthData} error={health.error} />
      {symbols.error !== undefined ? (
        <div className="banner banner-error" role="alert" data-testid="error-banner">
          Could not load the symbol list: {symbols.error.message}
        </div>
      ) : null}
      {latest.error !== undefined ? (
        <div className="banner banner-error" role="alert" data-testid="error-banner">
          Could not refresh prices: {latest.error.message}
        </div>
      ) : null}
      <table data-testid="watchlist">
        <thead>
          <tr>
            <th>Symbol</th>
            <th className="num">Last</th>
            <th className="num">Change</th>
            <th>Source</th>
            <th>Freshness</th>
          </tr>
        </thead>
        <tbody>
          {list.map((s) => (
            <WatchRow
              key={s.symbol}
              symbol={s.symbol}
              name={s.name}
              quote={quotes[s.symbol]}
              reference={references[s.symbol]}
              now={now}
              staleAfterMs={settings.staleAfterMs}
              loaded={loaded}
              freshness={healthData?.symbols?.find((f) => f.symbol === s.symbol)}
              marketClosed={healthData?.presentation === "market-closed"}
            />
          ))}
        </tbody>
      </table>
    </>
  );
}
