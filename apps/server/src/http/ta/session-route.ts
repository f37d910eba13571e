import type { SessionSummariesResponse, Trade } from "@torghut/contracts";
import type { FastifyInstance } from "fastify";
import { latestTicks } from "../../store/repositories";
import { queryStoredSessions, type StoredSession } from "../../store/bars/session-bars";
import { parseSessionQuery } from "./params";
import { todayInNewYork, type ResolvedClose } from "./previous-close";
import type { TaRouteDeps } from "./route-deps";

type SessionSummary = SessionSummariesResponse["summaries"][number];

/** The watchlist's day per symbol: previous close, open/high/low/volume and a sparkline. */
export function registerSessionRoute(app: FastifyInstance, deps: TaRouteDeps): void {
  const { database, clock } = deps;
  app.get("/api/torghut/ta/session", async (request): Promise<SessionSummariesResponse> => {
    const { symbols } = parseSessionQuery(request.query);
    const now = clock.now();
    const stored = await queryStoredSessions(database, symbols, now);
    const sessions = new Map(symbols.map((s) => [s, stored.get(s)?.session ?? todayInNewYork(now)]));
    const live = new Map<string, Trade>();
    for (const symbol of symbols) {
      const trade = deps.livePrice(symbol);
      if (trade) live.set(symbol, trade);
    }
    const unheard = symbols.filter((s) => !live.has(s));
    for (const trade of await latestTicks(database, unheard)) live.set(trade.symbol, trade);
    const closes = (await deps.previousCloses?.closes(sessions)) ?? new Map<string, ResolvedClose>();
    return {
      summaries: symbols.map((symbol) =>
        summarise(symbol, stored.get(symbol), closes.get(symbol), live.get(symbol)),
      ),
    };
  });
}

/** One row of the watchlist: the source's own previous close wins over the one derived from stored bars. */
function summarise(
  symbol: string,
  day: StoredSession | undefined,
  fromSource: ResolvedClose | undefined,
  trade: Trade | undefined,
): SessionSummary {
  const storedClose = day?.storedPreviousClose ?? null;
  return {
    symbol,
    last: trade
      ? {
          price: trade.price,
          size: trade.size,
          eventTime: trade.eventTime,
          source: trade.source,
          delayed: trade.delayed,
        }
      : null,
    session: day?.session ?? null,
    previousClose: fromSource?.price ?? storedClose,
    previousCloseOrigin: fromSource?.origin ?? (storedClose === null ? null : "stored"),
    open: day?.open ?? null,
    high: day?.high ?? null,
    low: day?.low ?? null,
    volume: day?.volume ?? null,
    lastMinute: day?.lastMinute ?? null,
    sparkline: day?.sparkline ?? [],
    source: day?.source ?? null,
    delayed: day?.delayed ?? null,
  };
}
