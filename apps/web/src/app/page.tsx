import { Watchlist } from "@/components/watchlist/watchlist";
import { publicSettings } from "@/config";

export const dynamic = "force-dynamic";

export default function WatchlistPage() {
  return <Watchlist settings={publicSettings()} />;
}
