/**
 * The two Alpaca trading-API endpoints Torghut reads (the market clock and calendar; the trading host
 * is `https://paper-api.alpaca.markets` or `https://api.alpaca.markets`, same keys as market data):
 *   GET /v2/clock                      → {timestamp, is_open, next_open, next_close} (New York offsets)
 *   GET /v2/calendar?start=&end=       → [{date, open: "09:30", close: "16:00", session_open, session_close, settlement_date}]
 * The simulated session is open unless told otherwise (`control.setMarketOpen(false)`), so that
 * `npm start` behaves at any hour as it would during the session. The calendar lists every weekday
 * 09:30–16:00 (the simulator knows no holidays). Faults: target `trading`, `down` (503) or `hang`.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Counters } from "../counters";
import type { FaultBook } from "../faults";
import { header, sendJson } from "../http";
import { nyDayStart, nyOffsetSeconds } from "../market/time";
import type { KeyPlan } from "./connection";

export interface TradingDeps {
  faults: FaultBook;
  counters: Counters;
  keys: ReadonlyMap<string, KeyPlan>;
  now(): number;
  isOpen(): boolean;
  /** A close set for a moment other than 16:00 (the control's announced close). */
  announcedClose(): number | null;
}

const DAY = 86_400_000;
const MAX_CALENDAR_DAYS = 3_660;

export class AlpacaTrading {
  constructor(private readonly deps: TradingDeps) {}

  handle(req: IncomingMessage, res: ServerResponse, url: URL): boolean {
    const path = url.pathname.replace(/\/$/, "");
    if (path !== "/v2/clock" && path !== "/v2/calendar") return false;
    this.deps.counters.restRequests++;
    if (this.deps.faults.active("trading", "hang")) return true; // never answered
    if (this.deps.faults.active("trading", "down")) {
      sendJson(res, 503, { message: "service unavailable" });
      return true;
    }
    const keyId = header(req, "apca-api-key-id");
    const plan = keyId === undefined ? undefined : this.deps.keys.get(keyId);
    if (!plan || plan.secret !== header(req, "apca-api-secret-key")) {
      sendJson(res, 401, { code: 40110000, message: "request is not authorized" });
      return true;
    }
    if (path === "/v2/clock") sendJson(res, 200, this.clock());
    else this.calendar(url, res);
    return true;
  }

  private clock(): unknown {
    const now = this.deps.now();
    const open = this.deps.isOpen();
    // Open: the session runs to the next 16:00 New York. Closed: it reopens at the next 09:30.
    const nextClose = open
      ? (this.deps.announcedClose() ?? nextAt(now, 16, 0))
      : nextAt(nextAt(now, 9, 30), 16, 0);
    const nextOpen = open ? nextAt(nextClose, 9, 30) : nextAt(now, 9, 30);
    return {
      timestamp: nyIso(now, true),
      is_open: open,
      next_open: nyIso(nextOpen),
      next_close: nyIso(nextClose),
    };
  }

  private calendar(url: URL, res: ServerResponse): void {
    const now = this.deps.now();
    const start = parseDate(url.searchParams.get("start")) ?? nyDayStart(now);
    const end = parseDate(url.searchParams.get("end")) ?? start + 30 * DAY;
    if (end < start || (end - start) / DAY > MAX_CALENDAR_DAYS) {
      sendJson(res, 422, { code: 42210000, message: "invalid start/end" });
      return;
    }
    const days: unknown[] = [];
    for (let day = nyDayStart(start + DAY / 2); day <= end; day = nyDayStart(day + DAY + DAY / 2)) {
      const weekday = new Date(day + DAY / 2).getUTCDay();
      if (weekday === 0 || weekday === 6) continue;
      const date = nyIso(day).slice(0, 10);
      days.push({
        date,
        open: "09:30",
        close: "16:00",
        session_open: "0400",
        session_close: "2000",
        settlement_date: nyIso(day + 2 * DAY).slice(0, 10),
      });
    }
    sendJson(res, 200, days);
  }
}

/** The first instant after `from` at hh:mm New York time. */
function nextAt(from: number, hour: number, minute: number): number {
  for (let day = nyDayStart(from); ; day = nyDayStart(day + DAY + DAY / 2)) {
    const at = day + (hour * 60 + minute) * 60_000;
    if (at > from) return at;
  }
}

/** RFC-3339 in New York's offset, as Alpaca's trading API writes it ("2024-01-03T16:00:00-05:00"). */
function nyIso(epochMs: number, withFraction = false): string {
  const offset = nyOffsetSeconds(epochMs);
  const local = new Date(epochMs + offset * 1000).toISOString();
  const sign = offset < 0 ? "-" : "+";
  const abs = Math.abs(offset);
  const zone = `${sign}${String(Math.floor(abs / 3600)).padStart(2, "0")}:${String(Math.floor((abs % 3600) / 60)).padStart(2, "0")}`;
  const body = withFraction ? `${local.slice(0, 23)}000000` : local.slice(0, 19);
  return `${body}${zone}`;
}

function parseDate(value: string | null): number | null {
  if (value === null || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const ms = Date.parse(`${value}T12:00:00Z`);
  return Number.isNaN(ms) ? null : nyDayStart(ms);
}
