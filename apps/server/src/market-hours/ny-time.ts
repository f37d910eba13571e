/**
 * New York wall time ↔ epoch ms. The exchange's sessions are written in New York time ("09:30",
 * "16:00"), across daylight-saving changes; Intl knows the zone, so nothing here hard-codes offsets.
 */
const NY = new Intl.DateTimeFormat("en-US", {
  timeZone: "America/New_York",
  hourCycle: "h23",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallTime(epochMs: number): WallTime {
  const parts: Record<string, number> = {};
  for (const part of NY.formatToParts(new Date(epochMs))) {
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

/** The instant of `hh:mm` New York time on `date` ("2026-01-05"). */
export function nyInstant(date: string, hour: number, minute: number): number {
  const [year, month, day] = date.split("-").map(Number) as [number, number, number];
  const asIfUtc = Date.UTC(year, month - 1, day, hour, minute);
  // Two passes: the offset at the guess can differ from the offset at the answer on DST days.
  let guess = asIfUtc - offsetMs(asIfUtc);
  guess = asIfUtc - offsetMs(guess);
  return guess;
}

/** The date `days` calendar days after `date`. */
export function addDays(date: string, days: number): string {
  const [year, month, day] = date.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(date: string): number {
  return new Date(`${date}T12:00:00Z`).getUTCDay();
}

function offsetMs(epochMs: number): number {
  const t = wallTime(epochMs);
  return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second) - Math.floor(epochMs / 1000) * 1000;
}
