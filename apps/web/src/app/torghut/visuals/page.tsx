import Link from "next/link";
import { Visuals } from "@/components/visuals/visuals";
import { publicSettings } from "@/config";
import { loadInitialBars } from "@/server/initial-bars";
import { parseChartView, rangeFromMs } from "@/components/visuals/chart-view";

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
  const view = parseChartView(params);
  const days = typeof params.days === "string" ? Number(params.days) : Number.NaN;
  // 1m bars may span at most 7 days per request (the API's bound).
  const rangeDays = Number.isFinite(days) && days > 0 ? Math.min(days, 6.9) : undefined;
  const fromMs =
    view.range !== null
      ? rangeFromMs(view.range, view.interval, Date.now())
      : rangeDays === undefined
        ? undefined
        : Math.floor((Date.now() - rangeDays * 86_400_000) / 60_000) * 60_000;
  // Not awaited: the page's HTML and scripts go out at once, and the bars follow in the same
  // response when the API answers, so they are there when the chart hydrates (no second round trip).
  const initialBars = loadInitialBars(view.symbol, view.interval, fromMs);
  return <Visuals settings={settings} initialView={view} initialFromMs={fromMs} initialBars={initialBars} />;
}
