/**
 * Alpaca market-data REST (market-protocols.md §2): bars, latest trades/quotes/bars and snapshots,
 * answered from the same history and model the stream uses. Key headers are required (403), and
 * each key gets `rateLimitPerMinute` requests per simulated minute (429 beyond).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Counters } from "../counters";
import type { FaultBook } from "../faults";
import { header, sendJson } from "../http";
import type { BarHistory } from "../market/history";
import type { MarketModel } from "../market/model";
import type { QuoteEvent, TradeEvent } from "../market/events";
import { formatNanos, nyDayStart } from "../market/time";
import type { KeyPlan } from "./connection";
import { BadRequest, barBody, pageBars, parseLimit, parseTime, parseTimeframe } from "./rest-bars";

export interface AlpacaRestDeps {
  model: MarketModel;
  history: BarHistory;
  faults: FaultBook;
  counters: Counters;
  keys: ReadonlyMap<string, KeyPlan>;
  now(): number;
  rateLimitPerMinute: number;
}

const SYMBOL = /^[A-Z][A-Z0-9.-]{0,10}$/;
const FEEDS = new Set(["iex", "sip", "otc", "boats", "delayed_sip", "overnight"]);
const SIP_DELAY_MS = 15 * 60_000;

export class AlpacaRest {
  private window = { minute: -1, used: new Map<string, number>() };

  constructor(private readonly deps: AlpacaRestDeps) {}

  handle(req: IncomingMessage, res: ServerResponse, url: URL): boolean {
    if (!url.pathname.startsWith("/v2/stocks/")) return false;
    this.deps.counters.restRequests++;
    if (this.deps.faults.active("rest", "down")) {
      sendJson(res, 503, { message: "service unavailable" });
      return true;
    }
    const keyId = header(req, "apca-api-key-id");
    const plan = keyId === undefined ? undefined : this.deps.keys.get(keyId);
    if (!plan || plan.secret !== header(req, "apca-api-secret-key")) {
      sendJson(res, 403, { message: "forbidden" });
      return true;
    }
    const limits = this.rateLimit(keyId!);
    if (limits.exceeded || this.deps.faults.active("rest", "429")) {
      sendJson(res, 429, { message: "too many requests." }, limits.headers);
      return true;
    }
    try {
      const body = this.route(url, plan);
      if (body === null) sendJson(res, 404, { message: "not found" }, limits.headers);
      else sendJson(res, 200, body, limits.headers);
    } catch (error) {
      if (!(error instanceof BadRequest)) throw error;
      sendJson(res, error.status, { message: error.message }, limits.headers);
    }
    return true;
  }

  private route(url: URL, plan: KeyPlan): unknown {
    const q = url.searchParams;
    const parts = url.pathname.replace(/\/$/, "").split("/").slice(3); // after /v2/stocks
    const [first, second, third] = parts.map(decodeURIComponent);
    if (parts.length === 1 && first === "bars") return this.bars(q, plan, this.symbolsParam(q), null);
    if (parts.length === 1 && first === "snapshots") return this.snapshots(this.symbolsParam(q));
    if (parts.length === 2 && second === "latest" && first === "trades")
      return { trades: this.latestMap(this.symbolsParam(q), (s) => this.latestTrade(s)) };
    if (parts.length === 2 && second === "latest" && first === "quotes")
      return { quotes: this.latestMap(this.symbolsParam(q), (s) => this.latestQuote(s)) };
    if (parts.length === 2 && second === "latest" && first === "bars")
      return { bars: this.latestMap(this.symbolsParam(q), (s) => this.latestBar(s)) };
    if (first === undefined || !SYMBOL.test(first)) return null;
    if (parts.length === 2 && second === "bars") return this.bars(q, plan, [first], first);
    if (parts.length === 2 && second === "snapshot")
      return this.known(first) ? { symbol: first, ...this.snapshot(first) } : null;
    if (parts.length === 3 && third === "latest") {
      const latest =
        second === "trades"
          ? this.latestTrade(first)
          : second === "quotes"
            ? this.latestQuote(first)
            : second === "bars"
              ? this.latestBar(first)
              : undefined;
      if (latest === undefined || latest === null) return null;
      const key = second === "trades" ? "trade" : second === "quotes" ? "quote" : "bar";
      return { symbol: first, [key]: latest };
    }
    return null;
  }

  private bars(q: URLSearchParams, plan: KeyPlan, symbols: string[], single: string | null): unknown {
    const now = this.deps.now();
    const timeframe = parseTimeframe(q.get("timeframe"));
    const start = parseTime(q.get("start"), "start", nyDayStart(now));
    const end = parseTime(q.get("end"), "end", now);
    if (end < start) throw new BadRequest("end should not be before start", 422);
    const feed = q.get("feed") ?? (plan.feeds.has("sip") ? "sip" : "iex");
    if (!FEEDS.has(feed)) throw new BadRequest(`invalid feed: ${feed}`);
    if (feed === "sip" && !plan.feeds.has("sip") && end > now - SIP_DELAY_MS) {
      throw new BadRequest("subscription does not permit querying recent SIP data", 403);
    }
    const sort = q.get("sort") ?? "asc";
    if (sort !== "asc" && sort !== "desc") throw new BadRequest(`invalid sort: ${sort}`);
    const page = pageBars(this.deps.history, {
      symbols,
      timeframe,
      start,
      end,
      limit: parseLimit(q.get("limit")),
      pageToken: q.get("page_token"),
      desc: sort === "desc",
    });
    if (single !== null) {
      const bars = page.bars.get(single);
      // An empty single-symbol range comes back as null, not [] (clients must accept both).
      return { bars: bars ? bars.map(barBody) : null, symbol: single, next_page_token: page.nextPageToken };
    }
    const out: Record<string, unknown[]> = {};
    for (const [symbol, bars] of page.bars) out[symbol] = bars.map(barBody);
    return { bars: out, next_page_token: page.nextPageToken, currency: "USD" };
  }

  private snapshots(symbols: string[]): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const symbol of symbols) if (this.known(symbol)) out[symbol] = this.snapshot(symbol);
    return out;
  }

  private snapshot(symbol: string): Record<string, unknown> {
    const snap: Record<string, unknown> = {};
    const trade = this.latestTrade(symbol);
    const quote = this.latestQuote(symbol);
    const minute = this.deps.history.lastMinute(symbol);
    const daily = this.deps.model.dailyBar(symbol);
    const prevDaily = this.deps.model.prevDailyBar(symbol);
    if (trade) snap.latestTrade = trade;
    if (quote) snap.latestQuote = quote;
    if (minute) snap.minuteBar = barBody(minute);
    if (daily) snap.dailyBar = barBody(daily);
    if (prevDaily) snap.prevDailyBar = barBody(prevDaily);
    return snap;
  }

  private latestMap(symbols: string[], pick: (symbol: string) => unknown): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const symbol of symbols) {
      const value = pick(symbol);
      if (value !== null && value !== undefined) out[symbol] = value;
    }
    return out;
  }

  private latestTrade(symbol: string): Record<string, unknown> | null {
    const trade: TradeEvent | null = this.deps.model.latestTrade(symbol);
    if (trade)
      return {
        t: formatNanos(trade.ms, trade.ns),
        x: trade.x,
        p: trade.p,
        s: trade.s,
        c: trade.c,
        i: trade.i,
        z: trade.z,
      };
    // Before the first simulated trade, the last historical close stands in.
    const last = this.deps.model.lastPrice(symbol);
    const tape = this.deps.model.profile(symbol)?.tape ?? "C";
    return last
      ? { t: formatNanos(last.atMs, 0), x: "V", p: last.price, s: 100, c: ["@"], i: 1, z: tape }
      : null;
  }

  private latestQuote(symbol: string): Record<string, unknown> | null {
    const q: QuoteEvent | null = this.deps.model.latestQuote(symbol);
    if (!q) return null;
    return {
      t: formatNanos(q.ms, q.ns),
      ax: q.ax,
      ap: q.ap,
      as: q.as,
      bx: q.bx,
      bp: q.bp,
      bs: q.bs,
      c: q.c,
      z: q.z,
    };
  }

  private latestBar(symbol: string): Record<string, unknown> | null {
    const bar = this.deps.history.lastMinute(symbol);
    return bar ? barBody(bar) : null;
  }

  private known(symbol: string): boolean {
    return this.deps.model.profile(symbol) !== undefined;
  }

  private symbolsParam(q: URLSearchParams): string[] {
    const raw = q.get("symbols");
    if (raw === null || raw.trim() === "") throw new BadRequest("missing symbols");
    const symbols = raw
      .split(",")
      .map((s) => s.trim().toUpperCase())
      .filter((s) => s !== "");
    for (const symbol of symbols) if (!SYMBOL.test(symbol)) throw new BadRequest(`invalid symbol: ${symbol}`);
    return symbols;
  }

  /** Fixed window per simulated minute, per key. */
  private rateLimit(keyId: string): { exceeded: boolean; headers: Record<string, string> } {
    const minute = Math.floor(this.deps.now() / 60_000);
    if (minute !== this.window.minute) this.window = { minute, used: new Map() };
    const used = (this.window.used.get(keyId) ?? 0) + 1;
    this.window.used.set(keyId, used);
    const limit = this.deps.rateLimitPerMinute;
    return {
      exceeded: used > limit,
      headers: {
        "x-ratelimit-limit": String(limit),
        "x-ratelimit-remaining": String(Math.max(0, limit - used)),
        "x-ratelimit-reset": String((minute + 1) * 60),
      },
    };
  }
}
