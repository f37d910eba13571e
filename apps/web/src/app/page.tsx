import { Watchlist } from "@/components/watchlist/watchlist";
import { publicSettings } from "@/config";
import { currentUser } from "@/server/auth/current-user";

export const dynamic = "force-dynamic";

export default async function WatchlistPage() {
  const signedIn = await currentUser();
  // The development operator of `npm start` is everyone at once: their list stays in the browser.
  const savedOnServer = signedIn !== null && !signedIn.user.development;
  return <Watchlist settings={publicSettings()} savedOnServer={savedOnServer} />;
}
