/**
 * RFC-3339 timestamps from Alpaca carry nanosecond digits ("2024-03-01T14:30:00.123456789Z").
 * A JS Date keeps milliseconds only, so ordering within a millisecond needs the integer form.
 */
const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** Nanoseconds since the Unix epoch, or `null` when the string is not RFC-3339. */
export function rfc3339ToNanos(timestamp: string): bigint | null {
  const match = RFC3339.exec(timestamp);
  if (!match) return null;
  const [, wholeSeconds, fraction = "", zone] = match;
  const epochMs = Date.parse(`${wholeSeconds}${zone}`);
  if (Number.isNaN(epochMs)) return null;
  return BigInt(epochMs) * 1_000_000n + BigInt(fraction.padEnd(9, "0"));
}

/** Milliseconds since the epoch (fraction below a millisecond truncated), or NaN when invalid. */
export function rfc3339ToMillis(timestamp: string): number {
  const nanos = rfc3339ToNanos(timestamp);
  return nanos === null ? Number.NaN : Number(nanos / 1_000_000n);
}

/** Formats epoch nanoseconds as RFC-3339 UTC with all nine fraction digits. */
export function nanosToRfc3339(nanos: bigint): string {
  const ms = nanos / 1_000_000n;
  const iso = new Date(Number(ms)).toISOString(); // 2024-03-01T14:30:00.123Z
  const fraction = (nanos % 1_000_000_000n).toString().padStart(9, "0");
  return `${iso.slice(0, 19)}.${fraction}Z`;
}

/** Start of the UTC minute containing `epochMs`. */
export function minuteStart(epochMs: number): number {
  return epochMs - (((epochMs % 60_000) + 60_000) % 60_000);
}

const NEW_YORK_DAY = new Intl.DateTimeFormat("en-US", {
  timeZone: "America/New_York",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});

/**
 * The New York calendar date ("2026-01-05") of an instant: the exchange's trading day, as the
 * session summary names it (`session`) and the watchlist compares live minutes against it.
 */
export function nyDate(epochMs: number): string {
  const parts: Record<string, string> = {};
  for (const part of NEW_YORK_DAY.formatToParts(new Date(epochMs))) parts[part.type] = part.value;
  return `${parts.year}-${parts.month}-${parts.day}`;
}
