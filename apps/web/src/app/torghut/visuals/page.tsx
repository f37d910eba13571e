import { Visuals } from "@/components/visuals/visuals";
import { publicSettings } from "@/config";
import { preload } from "react-dom";
import { barsUrl } from "@/lib/api";
import { INTERVAL_SECONDS, type ChartInterval } from "@/lib/bar-builder";

export const dynamic = "force-dynamic";

interface Props {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export default async function VisualsPage({ searchParams }: Props) {
  const settings = publicSettings();
  if (!settings.visualsEnabled) {
    return (
      <div className="banner banner-info" data-testid="visuals-disabled">
        The TA visuals are turned off (NEXT_PUBLIC_TORGHUT_VISUALS_ENABLED=false).
      </div>
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
  // The browser starts downloading the candles with the HTML instead of after hydration.
  preload(barsUrl(symbol, interval, fromMs), { as: "fetch", crossOrigin: "anonymous" });
  return (
    <Visuals settings={settings} initialSymbol={symbol} initialInterval={interval} initialFromMs={fromMs} />
  );
}
