import { rfc3339ToMillis, type SessionSummariesResponse, type Trade } from "@torghut/contracts";
import type { Database } from "@torghut/db";
import { computeIndicators, IndicatorInputError, type IndicatorSeries } from "@torghut/indicators";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { Clock } from "../../clock";
import { latestTicks } from "../../store/repositories";
import {
  queryIntervalBarColumns,
  queryIntervalBars,
  symbolExists,
  type IntervalBar,
} from "../../store/bars/interval-bars";
import { FixedWindowLimiter } from "../../security/fixed-window-limiter";
import { taRefused } from "./metrics";
import {
  BadQueryError,
  parseBarsQuery,
  parseLatestQuery,
  parseSessionQuery,
  parseSignalsQuery,
} from "./params";
import { todayInNewYork, type PreviousCloseBook, type ResolvedClose } from "./previous-close";
import { queryStoredSessions } from "../../store/bars/session-bars";

export interface TaRouteDeps {
  database: Database;
  clock: Clock;
  /** Signals requests per client address per minute (indicator math runs on the HTTP thread); 0: no limit. */
  signalsPerMinutePerIp?: number;
  /** The newest accepted (non-suspicious) trade held in memory by the pipeline, if any. */
  livePrice(symbol: string): Trade | undefined;
  /** The sources' own previous closes; without it change is measured against stored bars only. */
  previousCloses?: PreviousCloseBook;
}

/** `/api/torghut/ta/*`: bars, indicator signals and the latest price with its lag, for the visuals page. */
export function registerTaRoutes(app: FastifyInstance, deps: TaRouteDeps): void {
  const { database, clock } = deps;

  async function requireKnownSymbol(symbol: string, reply: FastifyReply): Promise<boolean> {
    if (await symbolExists(database, symbol)) return true;
    await reply.code(404).send({ error: "unknown_symbol", message: `Unknown symbol ${symbol}` });
    return false;
  }

  app.get("/api/torghut/ta/bars", async (request, reply) => {
    const query = parseBarsQuery(request.query, clock.now());
    if (!(await requireKnownSymbol(query.symbol, reply))) return reply;
    const head = {
      symbol: query.symbol,
      interval: query.interval,
      from: new Date(query.fromMs).toISOString(),
      to: new Date(query.toMs).toISOString(),
    };
    const { symbol, interval, fromMs, toMs } = query;
    if (query.format === "columns") {
      const columns = await queryIntervalBarColumns(database, symbol, interval, fromMs, toMs);
      return { ...head, format: "columns", ...columns };
    }
    const bars = await queryIntervalBars(database, symbol, interval, fromMs, toMs);
    return { ...head, bars };
  });

  const signalsLimit = new FixedWindowLimiter(clock, deps.signalsPerMinutePerIp ?? 120, 60_000);
  app.get("/api/torghut/ta/signals", async (request, reply) => {
    // Before parsing or querying anything: a flood costs a map lookup per request.
    if (!signalsLimit.allow(request.ip)) {
      taRefused.inc({ reason: "rate_limited" });
      return reply
        .code(429)
        .header("retry-after", "60")
        .send({
          error: "rate_limited",
          message: `At most ${signalsLimit.limit} signals requests per minute`,
        });
    }
    const query = parseSignalsQuery(request.query, clock.now());
    if (!(await requireKnownSymbol(query.symbol, reply))) return reply;
    const bars = await queryIntervalBars(database, query.symbol, query.interval, query.fromMs, query.toMs);
    let series: IndicatorSeries[];
    try {
      series = computeIndicators(bars.map(toOhlcv), query.indicators);
    } catch (error) {
      if (error instanceof IndicatorInputError) throw new BadQueryError(error.message);
      throw error;
    }
    return {
      symbol: query.symbol,
      interval: query.interval,
      from: new Date(query.fromMs).toISOString(),
      to: new Date(query.toMs).toISOString(),
      indicators: series.map((s) => ({ id: s.id, kind: s.kind, spec: s.spec, points: points(s, bars) })),
    };
  });

  /** The watchlist's day per symbol: previous close, open/high/low/volume and a sparkline. */
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
      summaries: symbols.map((symbol) => {
        const day = stored.get(symbol);
        const fromSource = closes.get(symbol);
        const storedClose = day?.storedPreviousClose ?? null;
        const trade = live.get(symbol);
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
          sparkline: day?.sparkline ?? [],
          source: day?.source ?? null,
          delayed: day?.delayed ?? null,
        };
      }),
    };
  });

  app.get("/api/torghut/ta/latest", async (request, reply) => {
    const { symbol } = parseLatestQuery(request.query);
    if (!(await requireKnownSymbol(symbol, reply))) return reply;
    const live = deps.livePrice(symbol);
    const trade = live ?? (await latestTicks(database, [symbol]))[0];
    if (!trade)
      return {
        symbol,
        price: null,
        eventTime: null,
        receivedAt: null,
        lagMs: null,
        source: null,
        delayed: null,
        live: false,
      };
    const now = clock.now();
    return {
      symbol,
      price: trade.price,
      eventTime: trade.eventTime,
      receivedAt: new Date(trade.receivedAt).toISOString(),
      lagMs: Math.max(0, now - rfc3339ToMillis(trade.eventTime)),
      source: trade.source,
      delayed: trade.delayed,
      live: live !== undefined,
    };
  });
}

function toOhlcv(bar: IntervalBar) {
  return {
    time: Date.parse(bar.time),
    open: bar.open,
    high: bar.high,
    low: bar.low,
    close: bar.close,
    volume: bar.volume,
  };
}

/** Indicator values paired with their bar times; warm-up (null) points are left out. */
function points(series: IndicatorSeries, bars: readonly IntervalBar[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  series.values.forEach((value, i) => {
    if (value === null) return;
    const time = bars[i]!.time;
    out.push(typeof value === "number" ? { time, value } : { time, ...value });
  });
  return out;
}
