import { Visuals } from "@/components/visuals/visuals";
import { publicSettings } from "@/config";
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
  const symbol = typeof params.symbol === "string" && params.symbol.trim() !== "" ? params.symbol.trim().toUpperCase() : "AAPL";
  const interval = typeof params.interval === "string" && params.interval in INTERVAL_SECONDS ? (params.interval as ChartInterval) : "1m";
  return <Visuals settings={settings} initialSymbol={symbol} initialInterval={interval} />;
}
