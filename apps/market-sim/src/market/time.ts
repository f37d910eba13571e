/**
 * Timestamp formatting and New York calendar helpers. Alpaca stamps events in RFC-3339 UTC with
 * nanosecond digits; bars and Yahoo trading periods follow the New York exchange day.
 */
const NY_ZONE = "America/New_York";

let cachedSecond = Number.NaN;
let cachedPrefix = "";

/** RFC-3339 with nine fraction digits from epoch ms plus the nanoseconds inside that ms. */
export function formatNanos(epochMs: number, subMsNanos: number): string {
  const second = Math.floor(epochMs / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 19);
  }
  const ms = epochMs - second * 1000;
  return `${cachedPrefix}.${pad(ms, 3)}${pad(subMsNanos, 6)}Z`;
}

/** RFC-3339 with no fraction ("2021-02-22T19:15:00Z"), as Alpaca stamps bars. */
export function formatSeconds(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 19)}Z`;
}

function pad(value: number, width: number): string {
  const text = String(value);
  return text.length >= width ? text : "0".repeat(width - text.length) + text;
}

const nyFormat = new Intl.DateTimeFormat("en-US", {
  timeZone: NY_ZONE,
  hourCycle: "h23",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

interface NyParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function nyParts(epochMs: number): NyParts {
  const parts: Record<string, number> = {};
  for (const part of nyFormat.formatToParts(new Date(epochMs))) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 1970,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** New York's offset from UTC in seconds at that instant (-14400 in summer, -18000 in winter). */
export function nyOffsetSeconds(epochMs: number): number {
  const p = nyParts(epochMs);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return Math.round((asUtc - Math.floor(epochMs / 1000) * 1000) / 1000);
}

/** "EDT" or "EST". */
export function nyZoneAbbreviation(epochMs: number): string {
  return nyOffsetSeconds(epochMs) === -14400 ? "EDT" : "EST";
}

const dayStartCache = new Map<number, number>();

/** Midnight New York time of the exchange day containing `epochMs` (Alpaca's daily bar `t`). */
export function nyDayStart(epochMs: number): number {
  const hourKey = Math.floor(epochMs / 3_600_000);
  const cached = dayStartCache.get(hourKey);
  if (cached !== undefined) return cached;
  const p = nyParts(epochMs);
  let guess = Date.UTC(p.year, p.month - 1, p.day) - nyOffsetSeconds(epochMs) * 1000;
  // The offset at midnight can differ from the offset now on DST change days.
  guess = Date.UTC(p.year, p.month - 1, p.day) - nyOffsetSeconds(guess) * 1000;
  if (dayStartCache.size > 10_000) dayStartCache.clear();
  dayStartCache.set(hourKey, guess);
  return guess;
}

/** Monday midnight New York of the week containing `epochMs`. */
export function nyWeekStart(epochMs: number): number {
  const dayStart = nyDayStart(epochMs);
  const weekday = new Date(dayStart + 12 * 3_600_000).getUTCDay(); // noon UTC is the same NY date
  const back = (weekday + 6) % 7;
  return nyDayStart(dayStart - back * 86_400_000 + 12 * 3_600_000);
}

/** First-of-month midnight New York, for month buckets of `months` months. */
export function nyMonthStart(epochMs: number, months = 1): number {
  const p = nyParts(epochMs);
  const index = p.year * 12 + (p.month - 1);
  const bucket = index - (index % months);
  const year = Math.floor(bucket / 12);
  const month = bucket % 12;
  return nyDayStart(Date.UTC(year, month, 1, 12));
}

/** Regular session (09:30–16:00 New York) of the day containing `epochMs`, epoch ms. */
export function nySessions(epochMs: number): {
  pre: [number, number];
  regular: [number, number];
  post: [number, number];
} {
  const day = nyDayStart(epochMs);
  const at = (h: number, m: number): number => day + (h * 60 + m) * 60_000;
  return { pre: [at(4, 0), at(9, 30)], regular: [at(9, 30), at(16, 0)], post: [at(16, 0), at(20, 0)] };
}
