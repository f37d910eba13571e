import Link from "next/link";
import { Visuals } from "@/components/visuals/visuals";
import { publicSettings } from "@/config";
import { loadInitialBars } from "@/server/initial-bars";
import { INTERVAL_SECONDS, type ChartInterval } from "@/lib/bar-builder";

export const dynamic = "force-dynamic";

interface Props {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export default async function VisualsPage({ searchParams }: Props) {
  const settings = publicSettings();
  if (!settings.visualsEnabled) {
    // Rendered on the server only: no chart code is sent and no API is called.
    return (
      <>
        <h1>TA visuals</h1>
        <div className="banner banner-info" data-testid="visuals-disabled">
          The TA visuals are turned off on this server (NEXT_PUBLIC_TORGHUT_VISUALS_ENABLED=false). The{" "}
          <Link href="/">watchlist</Link> and the <Link href="/ops">ops console</Link> work as usual.
        </div>
      </>
    );
  }
  const params = await searchParams;
  const symbol =
    typeof params.symbol === "string" && params.symbol.trim() !== ""
      ? params.symbol.trim().toUpperCase()
      : "AAPL";
  const interval =
    typeof params.interval === "string" && params.interval in INTERVAL_SECONDS
      ? (params.interval as ChartInterval)
      : "1m";
  const days = typeof params.days === "string" ? Number(params.days) : Number.NaN;
  // 1m bars may span at most 7 days per request (the API's bound).
  const rangeDays = Number.isFinite(days) && days > 0 ? Math.min(days, 6.9) : undefined;
  const fromMs =
    rangeDays === undefined ? undefined : Math.floor((Date.now() - rangeDays * 86_400_000) / 60_000) * 60_000;
  // Not awaited: the page's HTML and scripts go out at once, and the bars follow in the same
  // response when the API answers, so they are there when the chart hydrates (no second round trip).
  const initialBars = loadInitialBars(symbol, interval, fromMs);
  return (
    <Visuals
      settings={settings}
      initialSymbol={symbol}
      initialInterval={interval}
      initialFromMs={fromMs}
      initialBars={initialBars}
    />
  );
}
