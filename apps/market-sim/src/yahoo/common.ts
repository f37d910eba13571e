/**
 * Shared by the Yahoo endpoints: the per-symbol facts both chart meta and v7 quote report, and the
 * Yahoo fault gate (down, 429 with Yahoo's plain-text body, added latency).
 */
import type { ServerResponse } from "node:http";
import type { Counters } from "../counters";
import type { FaultBook } from "../faults";
import { delay, sendText } from "../http";
import type { BarHistory } from "../market/history";
import type { MarketModel } from "../market/model";
import type { SymbolProfile } from "../market/symbols";
import { nyDayStart } from "../market/time";

export interface YahooDeps {
  model: MarketModel;
  history: BarHistory;
  faults: FaultBook;
  counters: Counters;
  now(): number;
}

export interface SymbolFacts {
  profile: SymbolProfile;
  price: number;
  timeMs: number;
  dayOpen: number;
  dayHigh: number;
  dayLow: number;
  dayVolume: number;
  previousClose: number;
  high52: number;
  low52: number;
}

export function symbolFacts(deps: YahooDeps, symbol: string): SymbolFacts | null {
  const profile = deps.model.profile(symbol);
  const last = deps.model.lastPrice(symbol);
  if (!profile || !last) return null;
  const now = deps.now();
  const today = deps.model.dailyBar(symbol);
  const live = deps.model.currentMinuteBar(symbol);
  const prev = deps.model.prevDailyBar(symbol);
  const year = deps.history.dailyBars(symbol, nyDayStart(now - 365 * 86_400_000), now);
  const highs = year.map((b) => b.h);
  const lows = year.map((b) => b.l);
  if (live) {
    highs.push(live.h);
    lows.push(live.l);
  }
  const dayHigh = Math.max(today?.h ?? last.price, live?.h ?? last.price, last.price);
  const dayLow = Math.min(today?.l ?? last.price, live?.l ?? last.price, last.price);
  return {
    profile,
    price: last.price,
    timeMs: last.atMs,
    dayOpen: today?.o ?? live?.o ?? last.price,
    dayHigh,
    dayLow,
    dayVolume: (today?.v ?? 0) + (live?.v ?? 0),
    previousClose: prev?.c ?? today?.o ?? last.price,
    high52: Math.max(dayHigh, ...highs),
    low52: Math.min(dayLow, ...lows),
  };
}

/** Applies Yahoo faults; resolves false when the response has already been sent. */
export async function passYahooFaults(deps: YahooDeps, res: ServerResponse): Promise<boolean> {
  deps.counters.yahooRequests++;
  const slow = deps.faults.active("yahoo", "slow");
  if (slow) await delay(slow.latencyMs ?? 2_000);
  if (deps.faults.active("yahoo", "down")) {
    sendText(res, 503, "Service Unavailable");
    return false;
  }
  if (deps.faults.active("yahoo", "429")) {
    sendText(res, 429, "Too Many Requests");
    return false;
  }
  if (deps.faults.active("yahoo", "hang")) return false; // accepted, never answered
  if (deps.faults.active("yahoo", "html")) {
    // What a consent wall or a captive portal sends: 200, and a page instead of JSON.
    sendText(
      res,
      200,
      "<!DOCTYPE html><html><head><title>Before you continue</title></head><body></body></html>",
      {
        "content-type": "text/html; charset=utf-8",
      },
    );
    return false;
  }
  return true;
}
