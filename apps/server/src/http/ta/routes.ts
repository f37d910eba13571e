import { rfc3339ToMillis } from "@torghut/contracts";
import type { Database } from "@torghut/db";
import { computeIndicators, IndicatorInputError, type IndicatorSeries } from "@torghut/indicators";
import type { FastifyInstance, FastifyReply } from "fastify";
import { latestTicks } from "../../store/repositories";
import {
  queryIntervalBarColumns,
  queryIntervalBars,
  queryIntervalBarsJson,
  symbolExists,
  type IntervalBar,
} from "../../store/bars/interval-bars";
import { FixedWindowLimiter } from "../../security/fixed-window-limiter";
import { taRefused } from "./metrics";
import { BadQueryError, parseBarsQuery, parseLatestQuery, parseSignalsQuery } from "./params";
import type { TaRouteDeps } from "./route-deps";
import { registerSessionRoute } from "./session-route";

/** `/api/torghut/ta/*`: bars, indicator signals and the latest price with its lag, for the visuals page. */
export function registerTaRoutes(app: FastifyInstance, deps: TaRouteDeps): void {
  registerBarsRoute(app, deps);
  registerSignalsRoute(app, deps);
  registerSessionRoute(app, deps);
  registerLatestRoute(app, deps);
}

async function requireKnownSymbol(database: Database, symbol: string, reply: FastifyReply): Promise<boolean> {
  if (await symbolExists(database, symbol)) return true;
  await reply.code(404).send({ error: "unknown_symbol", message: `Unknown symbol ${symbol}` });
  return false;
}

/** Bars of any interval, as rows or as columns (the chart's compact form). */
function registerBarsRoute(app: FastifyInstance, { database, clock }: TaRouteDeps): void {
  app.get("/api/torghut/ta/bars", async (request, reply) => {
    const query = parseBarsQuery(request.query, clock.now());
    if (!(await requireKnownSymbol(database, query.symbol, reply))) return reply;
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
    // PostgreSQL wrote the bars array's JSON (interval-bars.ts jsonObjectsSql): spliced in as it is,
    // not parsed and serialised again. A string with a JSON content type is sent unchanged by Fastify.
    const bars = await queryIntervalBarsJson(database, symbol, interval, fromMs, toMs);
    return reply
      .type("application/json; charset=utf-8")
      .send(`${JSON.stringify(head).slice(0, -1)},"bars":${bars}}`);
  });
}

/** Indicator series computed over stored bars, rate-limited per client address. */
function registerSignalsRoute(app: FastifyInstance, deps: TaRouteDeps): void {
  const { database, clock } = deps;
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
    if (!(await requireKnownSymbol(database, query.symbol, reply))) return reply;
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
}

/** The latest price of one symbol with its lag: live from the pipeline, else the newest stored tick. */
function registerLatestRoute(app: FastifyInstance, deps: TaRouteDeps): void {
  const { database, clock } = deps;
  app.get("/api/torghut/ta/latest", async (request, reply) => {
    const { symbol } = parseLatestQuery(request.query);
    if (!(await requireKnownSymbol(database, symbol, reply))) return reply;
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
