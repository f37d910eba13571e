import { barColumnsResponseSchema } from "@torghut/contracts";
import { loadWebConfig } from "../config";
import { ApiError, barsUrl, getJson } from "../lib/api";
import { toCandleColumns, type InitialBars } from "../lib/candle-columns";
import { API_UNREACHABLE_MESSAGE } from "./upstream-proxy";

/**
 * The visuals page's first candles, fetched by the Next server while it streams the page: the
 * browser gets them inside the page's own response instead of making a second round trip after
 * hydration. Never rejects: an API error becomes the same message the browser-side fetch would
 * show in the error banner.
 */
export async function loadInitialBars(
  symbol: string,
  interval: string,
  fromMs?: number,
): Promise<InitialBars> {
  const { apiUrl } = loadWebConfig();
  try {
    // The compact answer: the API skips building and serialising 5,000 bar objects, which is most of
    // its time while the browser competes for the same cores loading the page's scripts.
    const columns = await getJson(
      `${apiUrl}${barsUrl(symbol, interval, fromMs, "columns")}`,
      barColumnsResponseSchema,
      { signal: AbortSignal.timeout(10_000) },
    );
    return { status: "ok", columns: toCandleColumns(columns) };
  } catch (error) {
    // The same words as the proxy's 502. No message names the internal API address: getJson's
    // own messages name only the path.
    if (error instanceof ApiError && error.status === 0)
      return { status: "error", message: API_UNREACHABLE_MESSAGE };
    return { status: "error", message: error instanceof Error ? error.message : String(error) };
  }
}
