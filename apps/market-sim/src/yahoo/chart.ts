/**
 * Yahoo v8 chart (market-protocols.md §4.1): period1/period2 or range, every interval, live
 * meta.regularMarketPrice/regularMarketTime, nulls for intervals without trades, the empty-range
 * shape, the 404 body for unknown symbols and the intraday look-back errors.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { sendJson, sendText } from "../http";
import type { Bar } from "../market/events";
import { aggregate } from "../market/history";
import { nyDayStart, nyOffsetSeconds, nySessions, nyZoneAbbreviation } from "../market/time";
import type { SymbolFacts, YahooDeps } from "./common";
import { passYahooFaults, symbolFacts } from "./common";

const VALID_RANGES = ["1d", "5d", "1mo", "3mo", "6mo", "1y", "2y", "5y", "10y", "ytd", "max"];
const INTRADAY_MINUTES: Record<string, number> = {
  "1m": 1,
  "2m": 2,
  "5m": 5,
  "15m": 15,
  "30m": 30,
  "60m": 60,
  "90m": 90,
  "1h": 60,
};
const INTERVALS = [...Object.keys(INTRADAY_MINUTES), "1d", "5d", "1wk", "1mo", "3mo"];
const DAY = 86_400_000;
const RANGE_DAYS: Record<string, number> = {
  "5d": 5,
  "1mo": 30,
  "3mo": 91,
  "6mo": 182,
  "1y": 365,
  "2y": 730,
  "5y": 1826,
  "10y": 3652,
};

function errorBody(code: string, description: string): unknown {
  return { chart: { result: null, error: { code, description } } };
}

export class YahooChart {
  private malformedCount = 0;

  constructor(private readonly deps: YahooDeps) {}

  async handle(_req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const match = /^\/v8\/finance\/chart\/([^/]+)\/?$/.exec(url.pathname);
    if (!match) return false;
    if (!(await passYahooFaults(this.deps, res))) return true;
    const symbol = decodeURIComponent(match[1]!).toUpperCase();
    const facts = symbolFacts(this.deps, symbol);
    if (!facts) {
      sendJson(res, 404, errorBody("Not Found", "No data found, symbol may be delisted"));
      return true;
    }
    const result = this.chart(url.searchParams, facts);
    if ("error" in result) {
      sendJson(res, result.status, errorBody(result.code, result.error));
      return true;
    }
    if (this.deps.faults.active("yahoo", "malformed")) return (this.sendMalformed(res, result.body), true);
    sendJson(res, 200, { chart: { result: [result.body], error: null } });
    return true;
  }

  private chart(
    q: URLSearchParams,
    facts: SymbolFacts,
  ): { body: Record<string, unknown> } | { status: number; code: string; error: string } {
    const now = this.deps.now();
    const interval = q.get("interval") ?? "1d";
    if (!INTERVALS.includes(interval)) {
      return {
        status: 400,
        code: "Bad Request",
        error: `Invalid input - interval=${interval} is not supported. Valid intervals: [${INTERVALS.join(", ")}]`,
      };
    }
    const range = q.get("range");
    let from: number;
    let to: number;
    if (q.get("period1") !== null) {
      from = Number(q.get("period1")) * 1000;
      to = q.get("period2") !== null ? Number(q.get("period2")) * 1000 : now;
      if (!Number.isFinite(from) || !Number.isFinite(to))
        return {
          status: 400,
          code: "Bad Request",
          error: "Invalid input - period1 and period2 must be integers",
        };
      if (from > to)
        return {
          status: 400,
          code: "Bad Request",
          error: "Invalid input - start date cannot be after end date.",
        };
    } else {
      const r = range ?? "1d";
      if (!VALID_RANGES.includes(r))
        return {
          status: 400,
          code: "Bad Request",
          error: `Invalid input - range=${r} is not supported. Valid ranges: [${VALID_RANGES.join(", ")}]`,
        };
      to = now;
      from =
        r === "1d"
          ? nyDayStart(now)
          : r === "ytd"
            ? nyDayStart(Date.UTC(new Date(now).getUTCFullYear(), 0, 1, 12))
            : r === "max"
              ? 0
              : now - (RANGE_DAYS[r] ?? 1) * DAY;
    }
    const minutes = INTRADAY_MINUTES[interval];
    if (minutes !== undefined) {
      const limitDays = minutes === 1 ? 30 : 60;
      const span = `${interval} data not available for startTime=${Math.floor(from / 1000)} and endTime=${Math.floor(to / 1000)}.`;
      if (minutes === 1 && to - from > 8 * DAY) {
        return {
          status: 422,
          code: "Unprocessable Entity",
          error: `${span} Only 8 days worth of 1m granularity data are allowed to be fetched per request.`,
        };
      }
      if (from < now - limitDays * DAY) {
        return {
          status: 422,
          code: "Unprocessable Entity",
          error: `${span} The requested range must be within the last ${limitDays} days.`,
        };
      }
    }
    const series =
      minutes !== undefined
        ? this.intraday(facts.profile.symbol, minutes, from, Math.min(to, now))
        : this.daily(facts.profile.symbol, interval, from, Math.min(to, now));
    return {
      body: {
        meta: this.meta(facts, interval, q.get("period1") === null ? (range ?? "1d") : "", now),
        ...this.seriesBody(series, minutes === undefined),
      },
    };
  }

  /** One slot per interval from the first bar on; slots without trades carry nulls. */
  private intraday(
    symbol: string,
    minutes: number,
    from: number,
    to: number,
  ): (Bar | { t: number; empty: true })[] {
    const width = minutes * 60_000;
    const bars = this.deps.history.bars(
      symbol,
      { n: minutes, unit: "Min" },
      Math.floor(from / width) * width,
      to,
    );
    const live = this.deps.model.currentMinuteBar(symbol);
    const withLive =
      live && live.t >= from && live.t < to
        ? aggregate(
            [...this.deps.history.minuteBars(symbol, Math.floor(live.t / width) * width, live.t), live],
            (t) => Math.floor(t / width) * width,
          )
        : [];
    const byStart = new Map(bars.map((b) => [b.t, b]));
    for (const b of withLive) byStart.set(b.t, b);
    const first = this.deps.history.firstMinute(symbol) ?? to;
    const out: (Bar | { t: number; empty: true })[] = [];
    for (
      let t = Math.max(Math.floor(from / width) * width, Math.floor(first / width) * width);
      t < to;
      t += width
    ) {
      if (t + width <= from) continue;
      out.push(byStart.get(t) ?? { t, empty: true });
    }
    return out;
  }

  private daily(symbol: string, interval: string, from: number, to: number): Bar[] {
    if (interval === "1wk") return this.deps.history.bars(symbol, { n: 1, unit: "Week" }, from, to);
    if (interval === "1mo" || interval === "3mo")
      return this.deps.history.bars(symbol, { n: interval === "1mo" ? 1 : 3, unit: "Month" }, from, to);
    const days = this.deps.history.bars(symbol, { n: 1, unit: "Day" }, nyDayStart(from), to);
    if (interval === "1d") return days;
    const groups: Bar[][] = [];
    days.forEach((d, i) => (i % 5 === 0 ? groups.push([d]) : groups[groups.length - 1]!.push(d)));
    return groups.flatMap((g) => aggregate(g, () => g[0]!.t));
  }

  private seriesBody(
    series: (Bar | { t: number; empty: true })[],
    withAdjclose: boolean,
  ): Record<string, unknown> {
    if (series.length === 0) return { indicators: { quote: [{}] } };
    const pick = (f: (b: Bar) => number): (number | null)[] =>
      series.map((b) => ("empty" in b ? null : f(b)));
    const quote = {
      open: pick((b) => b.o),
      high: pick((b) => b.h),
      low: pick((b) => b.l),
      close: pick((b) => b.c),
      volume: pick((b) => b.v),
    };
    const indicators: Record<string, unknown> = { quote: [quote] };
    if (withAdjclose) indicators.adjclose = [{ adjclose: quote.close }];
    return { timestamp: series.map((b) => Math.floor(b.t / 1000)), indicators };
  }

  private meta(facts: SymbolFacts, interval: string, range: string, now: number): Record<string, unknown> {
    const zone = nyZoneAbbreviation(now);
    const gmtoffset = nyOffsetSeconds(now);
    const sessions = nySessions(now);
    const period = ([start, end]: [number, number]): Record<string, unknown> => ({
      timezone: zone,
      start: start / 1000,
      end: end / 1000,
      gmtoffset,
    });
    const meta: Record<string, unknown> = {
      currency: "USD",
      symbol: facts.profile.symbol,
      exchangeName: facts.profile.exchangeName,
      fullExchangeName: facts.profile.fullExchangeName,
      instrumentType: "EQUITY",
      firstTradeDate: 345479400,
      regularMarketTime: Math.floor(facts.timeMs / 1000),
      hasPrePostMarketData: true,
      gmtoffset,
      timezone: zone,
      exchangeTimezoneName: "America/New_York",
      regularMarketPrice: facts.price,
      fiftyTwoWeekHigh: facts.high52,
      fiftyTwoWeekLow: facts.low52,
      regularMarketDayHigh: facts.dayHigh,
      regularMarketDayLow: facts.dayLow,
      regularMarketVolume: facts.dayVolume,
      longName: facts.profile.name,
      shortName: facts.profile.name,
      chartPreviousClose: facts.previousClose,
      priceHint: 2,
      currentTradingPeriod: {
        pre: period(sessions.pre),
        regular: period(sessions.regular),
        post: period(sessions.post),
      },
      dataGranularity: interval,
      range,
      validRanges: VALID_RANGES,
    };
    if (range !== "") {
      meta.previousClose = facts.previousClose;
      meta.scale = 3;
    }
    return meta;
  }

  /** Alternates a truncated body with one whose fields have the wrong types. */
  private sendMalformed(res: ServerResponse, body: Record<string, unknown>): void {
    this.malformedCount++;
    if (this.malformedCount % 2 === 1) {
      const text = JSON.stringify({ chart: { result: [body], error: null } });
      sendText(res, 200, text.slice(0, Math.floor(text.length / 2)), {
        "content-type": "application/json;charset=utf-8",
      });
      return;
    }
    const meta = body.meta as Record<string, unknown>;
    sendJson(res, 200, {
      chart: {
        result: [{ ...body, meta: { ...meta, regularMarketPrice: "n/a", regularMarketTime: "soon" } }],
        error: null,
      },
    });
  }
}
