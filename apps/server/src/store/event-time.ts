import { minuteStart, rfc3339ToNanos } from "@torghut/contracts";

/** An instant split so every part is an exact double: whole Unix seconds and 0 ≤ nanos < 1e9. */
export interface EventTimeParts {
  seconds: number;
  nanos: number;
  /** True when `nanosToRfc3339(event_ns)` gives back the exact string, so it need not be stored. */
  canonical: boolean;
}

/**
 * `event_ns` is int8: nanoseconds since 1970 fit from 1677-09-21 to 2262-04-11. A time outside
 * cannot be keyed, so it does not parse (the writer drops it as `invalid_event_time`).
 */
const INT8_MAX = { seconds: 9_223_372_036, nanos: 854_775_807 };
const INT8_MIN = { seconds: -9_223_372_037, nanos: 145_224_192 };

function fitsEventNs(seconds: number, nanos: number): boolean {
  if (seconds > INT8_MIN.seconds && seconds < INT8_MAX.seconds) return true;
  if (seconds === INT8_MAX.seconds) return nanos <= INT8_MAX.nanos;
  return seconds === INT8_MIN.seconds && nanos >= INT8_MIN.nanos;
}

const UTC_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/;
let cachedSecond = "";
let cachedEpochSeconds = 0;
let cachedCanonicalSecond = false;

/**
 * Parses an RFC-3339 time into exact parts. Consecutive ticks share their second, so the common
 * case is one regex and a one-entry cache; offsets and odd forms take the general parser.
 */
export function eventTimeParts(eventTime: string): EventTimeParts | null {
  const match = UTC_TIME.exec(eventTime);
  if (match) {
    const second = match[1]!;
    if (second !== cachedSecond) {
      const ms = Date.parse(`${second}Z`);
      if (Number.isNaN(ms) || ms < 0) return slowEventTimeParts(eventTime);
      cachedSecond = second;
      cachedEpochSeconds = ms / 1000;
      // "…T24:00:00" or a day Date.parse rolls over parses, but prints differently.
      cachedCanonicalSecond = new Date(ms).toISOString().slice(0, 19) === second;
    }
    const fraction = match[2];
    const nanos = fraction === undefined ? 0 : Number(fraction.padEnd(9, "0"));
    if (cachedEpochSeconds >= INT8_MAX.seconds && !fitsEventNs(cachedEpochSeconds, nanos)) return null;
    return {
      seconds: cachedEpochSeconds,
      nanos,
      canonical: cachedCanonicalSecond && fraction !== undefined && fraction.length === 9,
    };
  }
  return slowEventTimeParts(eventTime);
}

function slowEventTimeParts(eventTime: string): EventTimeParts | null {
  const total = rfc3339ToNanos(eventTime);
  if (total === null) return null;
  let seconds = total / 1_000_000_000n;
  let nanos = total % 1_000_000_000n;
  if (nanos < 0n) {
    nanos += 1_000_000_000n;
    seconds -= 1n;
  }
  if (!fitsEventNs(Number(seconds), Number(nanos))) return null;
  return { seconds: Number(seconds), nanos: Number(nanos), canonical: false };
}

/** Where an instant falls for one-minute bars: its minute, and its exact offset inside it. */
export interface MinutePosition {
  /** Start of the UTC minute, epoch ms. */
  minute: number;
  /** Nanoseconds since `minute` (< 6e10, so exact as a double): orders trades inside the bar. */
  nanosInMinute: number;
}

/** The bar position of an RFC-3339 time, or null when it does not parse. No BigInt on the way. */
export function minutePosition(eventTime: string): MinutePosition | null {
  const time = eventTimeParts(eventTime);
  if (time === null) return null;
  const secondMs = time.seconds * 1000;
  const minute = minuteStart(secondMs);
  return { minute, nanosInMinute: (secondMs - minute) * 1_000_000 + time.nanos };
}
