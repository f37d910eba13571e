import type { Database } from "@torghut/db";

/**
 * Ticks are partitioned by America/New_York trading day: a partition spans one New York calendar
 * day, midnight to midnight, so a whole session (and its pre- and after-market) is one partition
 * and a DST change gives a 23- or 25-hour partition rather than a session split in two. The bounds
 * come from PostgreSQL's own time zone data, the same on both engines.
 */
export const TRADING_TIME_ZONE = "America/New_York";

export interface TradingDay {
  /** YYYY-MM-DD in New York. */
  day: string;
  /** Nanoseconds since the epoch of the day's first instant (inclusive). */
  fromNs: bigint;
  /** Of the next day's first instant (exclusive). */
  toNs: bigint;
}

/** The New York calendar date of an instant, shifted by `offsetDays` days. */
export async function tradingDayAt(database: Database, atMs: number, offsetDays = 0): Promise<string> {
  const result = await database.query<{ day: string }>(
    `SELECT (((to_timestamp($1::float8 / 1000) AT TIME ZONE '${TRADING_TIME_ZONE}')::date) + $2::int)::text AS day`,
    [atMs, offsetDays],
  );
  return result.rows[0]!.day;
}

/** Every trading day from `firstDay` to `lastDay` (inclusive), with its bounds. */
export async function tradingDays(
  database: Database,
  firstDay: string,
  lastDay: string,
): Promise<TradingDay[]> {
  const result = await database.query<{ day: string; from_ns: string; to_ns: string }>(
    `SELECT d::date::text AS day,
            (extract(epoch FROM (d::date::timestamp AT TIME ZONE '${TRADING_TIME_ZONE}')) * 1000000000)::bigint::text AS from_ns,
            (extract(epoch FROM ((d::date + 1)::timestamp AT TIME ZONE '${TRADING_TIME_ZONE}')) * 1000000000)::bigint::text AS to_ns
     FROM generate_series($1::date, $2::date, interval '1 day') AS d ORDER BY 1`,
    [firstDay, lastDay],
  );
  return result.rows.map((r) => ({ day: r.day, fromNs: BigInt(r.from_ns), toNs: BigInt(r.to_ns) }));
}

/** The partition holding one day's ticks: ticks_p20261102. */
export function partitionName(day: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new Error(`not a YYYY-MM-DD day: ${day}`);
  return `ticks_p${day.replaceAll("-", "")}`;
}
