/**
 * Historical bars (market-protocols.md §2.1): timeframe parsing, the request window, and paging
 * that orders multi-symbol results by symbol first, then time, `limit` bars per page.
 */
import type { Bar } from "../market/events";
import type { BarHistory, Timeframe } from "../market/history";
import { formatSeconds, nyDayStart } from "../market/time";

export class BadRequest extends Error {
  readonly retryable = false;
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = "BadRequest";
  }
}

const UNITS: Record<string, Timeframe["unit"]> = {
  Min: "Min",
  T: "Min",
  Hour: "Hour",
  H: "Hour",
  Day: "Day",
  D: "Day",
  Week: "Week",
  W: "Week",
  Month: "Month",
  M: "Month",
};

export function parseTimeframe(text: string | null): Timeframe {
  const match = /^(\d{1,2})(Min|T|Hour|H|Day|D|Week|W|Month|M)$/.exec(text ?? "");
  if (!match) throw new BadRequest("invalid timeframe");
  const n = Number(match[1]);
  const unit = UNITS[match[2]!]!;
  const ok =
    (unit === "Min" && n >= 1 && n <= 59) ||
    (unit === "Hour" && n >= 1 && n <= 23) ||
    ((unit === "Day" || unit === "Week") && n === 1) ||
    (unit === "Month" && [1, 2, 3, 4, 6, 12].includes(n));
  if (!ok) throw new BadRequest("invalid timeframe");
  return { n, unit };
}

/** RFC-3339 or a plain date (midnight New York). */
export function parseTime(text: string | null, name: string, fallback: number): number {
  if (text === null || text === "") return fallback;
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return nyDayStart(Date.parse(`${text}T12:00:00Z`));
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(text))
    throw new BadRequest(`invalid ${name}: ${text}`);
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new BadRequest(`invalid ${name}: ${text}`);
  return ms;
}

export function parseLimit(text: string | null): number {
  if (text === null || text === "") return 1000;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 10_000)
    throw new BadRequest("invalid limit: must be between 1 and 10000");
  return n;
}

export function barBody(bar: Bar): Record<string, unknown> {
  return { t: formatSeconds(bar.t), o: bar.o, h: bar.h, l: bar.l, c: bar.c, v: bar.v, n: bar.n, vw: bar.vw };
}

interface Cursor {
  symbol: string;
  t: number;
}

/** Page tokens look like Alpaca's: base64 of "SYMBOL|M|<RFC-3339>". */
export function encodeToken(cursor: Cursor): string {
  return Buffer.from(
    `${cursor.symbol}|M|${new Date(cursor.t).toISOString().replace("Z", "000000Z")}`,
  ).toString("base64");
}

function decodeToken(token: string | null): Cursor | null {
  if (token === null || token === "") return null;
  const [symbol, , time] = Buffer.from(token, "base64").toString("utf8").split("|");
  const t = time ? Date.parse(time) : Number.NaN;
  if (!symbol || Number.isNaN(t)) throw new BadRequest("invalid page_token");
  return { symbol, t };
}

export interface BarsQuery {
  symbols: string[];
  timeframe: Timeframe;
  start: number;
  end: number;
  limit: number;
  pageToken: string | null;
  desc: boolean;
}

export interface BarsPage {
  bars: Map<string, Bar[]>;
  nextPageToken: string | null;
}

export function pageBars(history: BarHistory, query: BarsQuery): BarsPage {
  const cursor = decodeToken(query.pageToken);
  const bars = new Map<string, Bar[]>();
  let taken = 0;
  for (const symbol of [...new Set(query.symbols)].sort()) {
    if (cursor && symbol < cursor.symbol) continue;
    let list = history.bars(symbol, query.timeframe, query.start, query.end);
    if (query.desc) list = list.reverse();
    if (cursor && symbol === cursor.symbol)
      list = list.filter((b) => (query.desc ? b.t <= cursor.t : b.t >= cursor.t));
    for (const bar of list) {
      if (taken === query.limit) return { bars, nextPageToken: encodeToken({ symbol, t: bar.t }) };
      const page = bars.get(symbol) ?? [];
      page.push(bar);
      bars.set(symbol, page);
      taken++;
    }
  }
  return { bars, nextPageToken: null };
}
