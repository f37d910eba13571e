/**
 * Session boundaries for session-anchored indicators. A US equity session is identified by the
 * America/New_York calendar day of the bar, so pre-market, regular and after-hours bars of one day
 * share a session and the anchor resets at New York midnight (DST handled by the tz database).
 */

/** Bar times may come as epoch seconds (Yahoo, lightweight-charts) or milliseconds (our API). */
const SECONDS_CUTOFF = 1e11; // 1e11 s is the year 5138, 1e11 ms is 1973: no real bar is ambiguous.

export function toEpochMs(time: number): number {
  return Math.abs(time) < SECONDS_CUTOFF ? time * 1000 : time;
}

const newYorkDate = new Intl.DateTimeFormat("en-CA", {
  timeZone: "America/New_York",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});

const HOUR_MS = 3_600_000;
// New York's UTC offset is a whole number of hours, so its date cannot change inside a UTC hour:
// remembering the last hour turns ~60 Intl calls per hour of 1-minute bars into one.
let cachedHour = Number.NaN;
let cachedDay = "";

/** "YYYY-MM-DD" of the New York calendar day containing `time` (epoch ms or s). */
export function newYorkSessionDay(time: number): string {
  const ms = toEpochMs(time);
  const hour = Math.floor(ms / HOUR_MS);
  if (hour !== cachedHour) {
    cachedDay = newYorkDate.format(new Date(hour * HOUR_MS));
    cachedHour = hour;
  }
  return cachedDay;
}

/** Maps a bar time to its session id; bars with equal ids share one anchored VWAP. */
export type SessionKey = (time: number) => string;
