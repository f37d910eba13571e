/**
 * Yahoo's cookie + crumb flow and the v7 quote (market-protocols.md §4.2–4.3):
 *   GET /quote/{symbol}      → sets the A1/A3 cookies
 *   GET /v1/test/getcrumb    → the crumb as plain text (401 without a cookie)
 *   GET /v7/finance/quote    → needs a crumb issued for the cookie sent (401 "Invalid Crumb")
 * The quote body carries every field of a recorded real response, so yahoo-finance2 validates it.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { header, sendJson, sendText } from "../http";
import { deriveSeed, Prng } from "../market/prng";
import { nyDayStart, nyOffsetSeconds, nySessions, nyZoneAbbreviation } from "../market/time";
import type { SymbolFacts, YahooDeps } from "./common";
import { passYahooFaults, symbolFacts } from "./common";

const COOKIE_MAX_AGE_S = 365 * 86_400;
const CRUMB_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789./";

export class YahooQuote {
  private readonly prng: Prng;
  /** cookie value → crumb issued for it */
  private readonly crumbs = new Map<string, string>();
  private readonly cookies = new Set<string>();
  private malformedCount = 0;

  constructor(private readonly deps: YahooDeps & { seed: number }) {
    this.prng = new Prng(deriveSeed(deps.seed, "yahoo-cookies"));
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const path = url.pathname.replace(/\/$/, "");
    if (/^\/quote\/[^/]+$/.test(path)) {
      if (await passYahooFaults(this.deps, res)) this.setCookie(res);
      return true;
    }
    if (path === "/v1/test/getcrumb") {
      if (await passYahooFaults(this.deps, res)) this.crumb(req, res);
      return true;
    }
    if (path === "/v7/finance/quote") {
      if (await passYahooFaults(this.deps, res)) this.quote(req, res, url);
      return true;
    }
    return false;
  }

  private setCookie(res: ServerResponse): void {
    const value = `d=${this.token(40)}&S=${this.token(24)}`;
    this.cookies.add(value);
    // A3 is for *.yahoo.com (what yahoo-finance2's jar keeps, since it asked finance.yahoo.com);
    // A1 is host-only so a plain HTTP client talking to the simulator directly keeps one too.
    res.setHeader("set-cookie", [
      `A3=${value}; Max-Age=${COOKIE_MAX_AGE_S}; Domain=.yahoo.com; Path=/; Secure; HttpOnly; SameSite=None`,
      `A1=${value}; Max-Age=${COOKIE_MAX_AGE_S}; Path=/; HttpOnly`,
    ]);
    sendText(
      res,
      200,
      "<!DOCTYPE html><html><head><title>Yahoo Finance (simulated)</title></head><body></body></html>",
      {
        "content-type": "text/html; charset=utf-8",
      },
    );
  }

  private crumb(req: IncomingMessage, res: ServerResponse): void {
    const cookie = this.cookieOf(req);
    if (!cookie) {
      sendJson(res, 401, {
        finance: { result: null, error: { code: "Unauthorized", description: "Invalid Cookie" } },
      });
      return;
    }
    let crumb = this.crumbs.get(cookie);
    if (!crumb) {
      crumb = this.token(11, CRUMB_CHARS);
      this.crumbs.set(cookie, crumb);
    }
    sendText(res, 200, crumb);
  }

  private quote(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const cookie = this.cookieOf(req);
    const crumb = url.searchParams.get("crumb");
    if (!cookie || !crumb || this.crumbs.get(cookie) !== crumb) {
      sendJson(res, 401, {
        finance: { result: null, error: { code: "Unauthorized", description: "Invalid Crumb" } },
      });
      return;
    }
    const symbols = (url.searchParams.get("symbols") ?? "")
      .split(",")
      .map((s) => s.trim().toUpperCase())
      .filter((s) => s !== "");
    // Unknown symbols are simply absent from the result.
    const result = symbols.flatMap((symbol) => {
      const facts = symbolFacts(this.deps, symbol);
      return facts ? [this.quoteBody(facts)] : [];
    });
    if (this.deps.faults.active("yahoo", "malformed")) {
      this.malformedCount++;
      const broken = result.map((r) => ({
        ...r,
        regularMarketPrice: "n/a",
        quoteType: this.malformedCount % 2 === 0 ? "EQUITY" : 7,
      }));
      sendJson(res, 200, { quoteResponse: { result: broken, error: null } });
      return;
    }
    sendJson(res, 200, { quoteResponse: { result, error: null } });
  }

  private quoteBody(f: SymbolFacts): Record<string, unknown> {
    const now = this.deps.now();
    const change = f.price - f.previousClose;
    const round = (x: number, d = 4): number => Math.round(x * 10 ** d) / 10 ** d;
    const latestQuote = this.deps.model.latestQuote(f.profile.symbol);
    const shares = 1_000_000_000 + (f.profile.symbol.charCodeAt(0) % 7) * 1_000_000_000;
    return {
      language: "en-US",
      region: "US",
      quoteType: "EQUITY",
      typeDisp: "Equity",
      quoteSourceName: "Nasdaq Real Time Price",
      triggerable: true,
      customPriceAlertConfidence: "HIGH",
      shortName: f.profile.name,
      longName: f.profile.name,
      marketState: marketState(now),
      regularMarketChangePercent: round((change / f.previousClose) * 100),
      regularMarketPrice: f.price,
      currency: "USD",
      exchange: f.profile.exchangeName,
      messageBoardId: `finmb_${f.profile.symbol.toLowerCase()}`,
      exchangeTimezoneName: "America/New_York",
      exchangeTimezoneShortName: nyZoneAbbreviation(now),
      gmtOffSetMilliseconds: nyOffsetSeconds(now) * 1000,
      market: "us_market",
      esgPopulated: false,
      corporateActions: [],
      regularMarketTime: Math.floor(f.timeMs / 1000),
      regularMarketChange: round(change),
      regularMarketDayHigh: f.dayHigh,
      regularMarketDayRange: `${f.dayLow} - ${f.dayHigh}`,
      regularMarketDayLow: f.dayLow,
      regularMarketVolume: f.dayVolume,
      regularMarketPreviousClose: f.previousClose,
      bid: latestQuote?.bp ?? f.price,
      ask: latestQuote?.ap ?? f.price,
      bidSize: latestQuote?.bs ?? 1,
      askSize: latestQuote?.as ?? 1,
      fullExchangeName: f.profile.fullExchangeName,
      financialCurrency: "USD",
      regularMarketOpen: f.dayOpen,
      averageDailyVolume3Month: 50_000_000,
      averageDailyVolume10Day: 45_000_000,
      fiftyTwoWeekLowChange: round(f.price - f.low52),
      fiftyTwoWeekLowChangePercent: round((f.price - f.low52) / f.low52, 6),
      fiftyTwoWeekRange: `${f.low52} - ${f.high52}`,
      fiftyTwoWeekHighChange: round(f.price - f.high52),
      fiftyTwoWeekHighChangePercent: round((f.price - f.high52) / f.high52, 6),
      fiftyTwoWeekLow: f.low52,
      fiftyTwoWeekHigh: f.high52,
      sharesOutstanding: shares,
      marketCap: Math.round(shares * f.price),
      sourceInterval: 15,
      exchangeDataDelayedBy: 0,
      hasPrePostMarketData: true,
      firstTradeDateMilliseconds: 345479400000,
      priceHint: 2,
      tradeable: false,
      cryptoTradeable: false,
      displayName: f.profile.name.split(/[ ,]/)[0],
      symbol: f.profile.symbol,
    };
  }

  private cookieOf(req: IncomingMessage): string | null {
    const raw = header(req, "cookie") ?? "";
    for (const part of raw.split(";")) {
      const [name, ...rest] = part.trim().split("=");
      const value = rest.join("=");
      if ((name === "A1" || name === "A3") && this.cookies.has(value)) return value;
    }
    return null;
  }

  private token(
    length: number,
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-",
  ): string {
    let out = "";
    for (let i = 0; i < length; i++) out += alphabet[this.prng.int(alphabet.length)];
    return out;
  }
}

function marketState(now: number): "PRE" | "REGULAR" | "POST" | "CLOSED" {
  const weekday = new Date(nyDayStart(now) + 12 * 3_600_000).getUTCDay();
  if (weekday === 0 || weekday === 6) return "CLOSED";
  const s = nySessions(now);
  if (now >= s.pre[0] && now < s.pre[1]) return "PRE";
  if (now >= s.regular[0] && now < s.regular[1]) return "REGULAR";
  if (now >= s.post[0] && now < s.post[1]) return "POST";
  return "CLOSED";
}
